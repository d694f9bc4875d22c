namespace Edison.Testing.Simulator;

/// <summary>
/// One test's view of the simulator: its own API key, script and request log, so that parallel tests never see each
/// other's traffic.
/// </summary>
public sealed class SimTenant
{
    private readonly Lock _lock = new();
    private readonly Queue<SimStep> _steps = new();
    private readonly List<SimRequest> _requests = [];
    private Func<SimRequest, SimStep> _fallback = static _ => SimStep.Reply("ok");
    private int _tokensIssued;

    internal SimTenant(string apiKey) => ApiKey = apiKey;

    /// <summary>The key that routes requests to this tenant (and, for Ollama, the model-name prefix).</summary>
    public string ApiKey { get; }

    /// <summary>The requests received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<SimRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many OAuth access tokens the simulator's <c>/token</c> endpoint issued to this tenant.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    internal void TokenIssued() => Interlocked.Increment(ref _tokensIssued);

    /// <summary>Appends steps to the script; each request consumes one, first in first out.</summary>
    public SimTenant Enqueue(params SimStep[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        lock (_lock)
        {
            foreach (var step in steps)
            {
                ArgumentNullException.ThrowIfNull(step);
                _steps.Enqueue(step);
            }
        }

        return this;
    }

    /// <summary>Sets the step chosen when the script is empty (by default <c>Reply("ok")</c>).</summary>
    public SimTenant Otherwise(Func<SimRequest, SimStep> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        lock (_lock)
        {
            _fallback = fallback;
        }

        return this;
    }

    internal SimStep Accept(SimRequest request)
    {
        Func<SimRequest, SimStep> fallback;
        lock (_lock)
        {
            // Recorded before the step runs, so a test sees every attempt, including ones that fail or hang.
            _requests.Add(request);
            if (_steps.TryDequeue(out var step))
            {
                return step;
            }

            fallback = _fallback;
        }

        return fallback(request) ?? throw new InvalidOperationException("The tenant's fallback returned no step.");
    }
}
