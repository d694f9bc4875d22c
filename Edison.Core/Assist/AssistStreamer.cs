using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edison.Core.Llm;
using Microsoft.Extensions.AI;

namespace Edison.Core.Assist;

/// <summary>
/// AI assist's streamed calls as an async sequence of text pieces, over the gateway's streaming path, so they share its
/// cache, limits, retries and the one llm_calls row with usage, cost and time to first token.
/// </summary>
internal sealed class AssistStreamer(LlmGateway gateway)
{
    public async IAsyncEnumerable<string> StreamAsync(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var call = Task.Run(async () =>
        {
            try
            {
                return await gateway.StreamAsync(spec, messages, options,
                    (text, ct) => pieces.Writer.WriteAsync(text, ct), cancellationToken);
            }
            finally
            {
                pieces.Writer.Complete();
            }
        }, cancellationToken);

        await foreach (var piece in pieces.Reader.ReadAllAsync(cancellationToken))
        {
            yield return piece;
        }

        var result = await call;
        if (!result.Succeeded)
        {
            throw new LlmCallException(result.ErrorClass ?? LlmErrorClass.MalformedResponse, result.Error ?? "The streamed assist call failed.");
        }
    }
}
