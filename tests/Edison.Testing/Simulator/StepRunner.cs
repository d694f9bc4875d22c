using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Edison.Testing.Simulator;

/// <summary>Applies a <see cref="SimStep"/> to one HTTP exchange in a provider's wire format.</summary>
internal static class StepRunner
{
    private const string JsonContentType = "application/json";

    // Opens a stream whose own content is filler, for stalls that end in something other than a reply.
    private static readonly SimStep.ReplyStep Filler = new(string.Empty, 10, 5, "stop");

    public static async Task RunAsync(HttpContext http, WireFormat format, SimRequest request, SimStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case SimStep.ReplyStep reply when request.Stream:
                await StreamReplyAsync(http, format, NewContext(format, request), reply, null, cancellationToken);
                break;
            case SimStep.ReplyStep reply:
                await WriteBodyAsync(http, StatusCodes.Status200OK, JsonContentType, format.ReplyBody(NewContext(format, request), reply), cancellationToken);
                break;
            case SimStep.StatusStep status:
                if (status.RetryAfter is { } retryAfter)
                {
                    http.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                var body = status.Body ?? format.ErrorBody(status.Code, $"Simulated {WireFormat.ReasonPhrase(status.Code)}.");
                await WriteBodyAsync(http, status.Code, JsonContentType, body, cancellationToken);
                break;
            case SimStep.DelayStep delay:
                await Task.Delay(delay.Wait, cancellationToken);
                await RunAsync(http, format, request, delay.Then, cancellationToken);
                break;
            case SimStep.GateStep gate:
                await gate.Gate.WaitAsync(cancellationToken);
                await RunAsync(http, format, request, gate.Then, cancellationToken);
                break;
            case SimStep.MalformedStep:
                await WriteBodyAsync(http, StatusCodes.Status200OK, request.Stream ? format.StreamContentType : JsonContentType, format.MalformedBody(request.Stream), cancellationToken);
                break;
            case SimStep.AbortStep:
                http.Abort();
                break;
            case SimStep.StallStep stall when !request.Stream:
                await stall.PauseAsync(cancellationToken);
                await RunAsync(http, format, request, stall.Then, cancellationToken);
                break;
            case SimStep.StallStep { Then: SimStep.ReplyStep reply } stall:
                await StreamReplyAsync(http, format, NewContext(format, request), reply, stall, cancellationToken);
                break;
            case SimStep.StallStep stall:
                var context = NewContext(format, request);
                await StartStreamAsync(http, format, context, Filler, cancellationToken);
                await ContinueStreamAsync(http, format, context, stall, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown step {step}.");
        }
    }

    private static ReplyContext NewContext(WireFormat format, SimRequest request)
    {
        var prefix = format.Provider == SimProvider.Anthropic ? "msg_sim" : "chatcmpl-sim";
        return new ReplyContext(request, $"{prefix}{Guid.NewGuid():N}", DateTimeOffset.UtcNow);
    }

    private static async Task StreamReplyAsync(
        HttpContext http, WireFormat format, ReplyContext context, SimStep.ReplyStep reply, SimStep.StallStep? stall, CancellationToken cancellationToken)
    {
        await StartStreamAsync(http, format, context, reply, cancellationToken);
        await FinishReplyAsync(http, format, context, reply, stall, cancellationToken);
    }

    private static async Task StartStreamAsync(HttpContext http, WireFormat format, ReplyContext context, SimStep.ReplyStep reply, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = format.StreamContentType;
        http.Response.Headers.CacheControl = "no-cache";
        foreach (var frame in format.StreamStart(context, reply))
        {
            await WriteFrameAsync(http, frame, cancellationToken);
        }
    }

    private static async Task FinishReplyAsync(
        HttpContext http, WireFormat format, ReplyContext context, SimStep.ReplyStep reply, SimStep.StallStep? stall, CancellationToken cancellationToken)
    {
        var stallAfter = stall?.Chunks ?? int.MaxValue;
        var chunks = WireFormat.Chunk(reply.Text);
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == stallAfter)
            {
                await stall!.PauseAsync(cancellationToken);
            }

            await WriteFrameAsync(http, format.StreamChunk(context, chunks[i]), cancellationToken);
        }

        if (stall is not null && stallAfter >= chunks.Count)
        {
            await stall.PauseAsync(cancellationToken);
        }

        foreach (var frame in format.StreamEnd(context, reply))
        {
            await WriteFrameAsync(http, frame, cancellationToken);
        }
    }

    /// <summary>Applies a step after the stream's headers and opening events have gone out.</summary>
    private static async Task ContinueStreamAsync(HttpContext http, WireFormat format, ReplyContext context, SimStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case SimStep.ReplyStep reply:
                await FinishReplyAsync(http, format, context, reply, null, cancellationToken);
                break;
            case SimStep.StallStep { Then: SimStep.ReplyStep reply } stall:
                await FinishReplyAsync(http, format, context, reply, stall, cancellationToken);
                break;
            case SimStep.StallStep stall:
                for (var i = 0; i < stall.Chunks; i++)
                {
                    await WriteFrameAsync(http, format.StreamChunk(context, $"chunk{i + 1} "), cancellationToken);
                }

                await stall.PauseAsync(cancellationToken);
                await ContinueStreamAsync(http, format, context, stall.Then, cancellationToken);
                break;
            case SimStep.DelayStep delay:
                await Task.Delay(delay.Wait, cancellationToken);
                await ContinueStreamAsync(http, format, context, delay.Then, cancellationToken);
                break;
            case SimStep.StatusStep status:
                await WriteFrameAsync(http, format.StreamError(context, status.Code, status.Body), cancellationToken);
                break;
            case SimStep.MalformedStep:
                await WriteFrameAsync(http, format.MalformedBody(stream: true), cancellationToken);
                break;
            case SimStep.AbortStep:
                http.Abort();
                break;
            default:
                throw new InvalidOperationException($"Unknown step {step}.");
        }
    }

    private static async Task WriteFrameAsync(HttpContext http, string frame, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync(frame, Encoding.UTF8, cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteBodyAsync(HttpContext http, int status, string contentType, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, cancellationToken);
    }
}
