using System.Text.Json;

namespace Edison.Testing.Simulator;

/// <summary>What the simulator does with one request. Build steps with the static factories.</summary>
public abstract record SimStep
{
    private static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    private protected SimStep()
    {
    }

    /// <summary>A successful completion whose assistant text is <paramref name="text"/>.</summary>
    public static SimStep Reply(string text, int inputTokens = 10, int outputTokens = 5, string finishReason = "stop")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(finishReason);
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        return new ReplyStep(text, inputTokens, outputTokens, finishReason);
    }

    /// <summary>A successful completion whose text is <paramref name="value"/> as camelCase JSON.</summary>
    public static SimStep ReplyJson(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Reply(JsonSerializer.Serialize(value, value.GetType(), CamelCase));
    }

    /// <summary>
    /// An HTTP status with the provider's error body (or <paramref name="body"/> verbatim); <paramref name="retryAfter"/>
    /// becomes a <c>Retry-After</c> header in whole seconds, rounded up.
    /// </summary>
    public static SimStep Status(int code, TimeSpan? retryAfter = null, string? body = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        if (retryAfter is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        }

        return new StatusStep(code, retryAfter, body);
    }

    /// <summary>Waits before applying <paramref name="then"/>; a client that gives up ends the wait.</summary>
    public static SimStep Delay(TimeSpan delay, SimStep then)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(then);
        return new DelayStep(delay, then);
    }

    /// <summary>
    /// Holds the request until <paramref name="gate"/> completes, then applies <paramref name="then"/>: the test decides when
    /// answers arrive (e.g. to see a page before and after them) without guessing a delay; a client that gives up ends the wait.
    /// </summary>
    public static SimStep After(Task gate, SimStep then)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(then);
        return new GateStep(gate, then);
    }

    /// <summary>A 200 response whose body is not valid JSON for the provider's format.</summary>
    public static SimStep Malformed() => new MalformedStep();

    /// <summary>Aborts the connection without a response.</summary>
    public static SimStep Abort() => new AbortStep();

    /// <summary>
    /// For a streaming request: streams the first <paramref name="chunks"/> content chunks, pauses for
    /// <paramref name="stall"/>, then continues with <paramref name="then"/>. When <paramref name="then"/> is a reply,
    /// the chunks are that reply's own; otherwise they are filler text and <paramref name="then"/> is applied
    /// mid-stream (an abort drops the connection, a status becomes the provider's in-stream error event).
    /// For a non-streaming request it only waits <paramref name="stall"/> before <paramref name="then"/>.
    /// </summary>
    public static SimStep StallAfterChunks(int chunks, TimeSpan stall, SimStep then)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        ArgumentOutOfRangeException.ThrowIfLessThan(stall, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(then);
        return new StallStep(chunks, stall, then);
    }

    /// <summary>
    /// As <see cref="StallAfterChunks"/>, but the pause lasts until <paramref name="gate"/> completes: a test sees what the
    /// client shows of a half-written answer, then lets the rest through, without guessing a delay.
    /// </summary>
    public static SimStep HoldAfterChunks(int chunks, Task gate, SimStep then)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(then);
        return new StallStep(chunks, TimeSpan.Zero, then) { Gate = gate };
    }

    internal sealed record ReplyStep(string Text, int InputTokens, int OutputTokens, string FinishReason) : SimStep;

    internal sealed record StatusStep(int Code, TimeSpan? RetryAfter, string? Body) : SimStep;

    internal sealed record DelayStep(TimeSpan Wait, SimStep Then) : SimStep;

    internal sealed record GateStep(Task Gate, SimStep Then) : SimStep;

    internal sealed record MalformedStep : SimStep;

    internal sealed record AbortStep : SimStep;

    internal sealed record StallStep(int Chunks, TimeSpan Stall, SimStep Then) : SimStep
    {
        /// <summary>When set, the pause ends when this completes instead of after <see cref="Stall"/>.</summary>
        public Task? Gate { get; init; }

        public Task PauseAsync(CancellationToken cancellationToken) => Gate is { } gate ? gate.WaitAsync(cancellationToken) : Task.Delay(Stall, cancellationToken);
    }
}
