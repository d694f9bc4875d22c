using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Edison.Core.Llm;

/// <summary>
/// Counts tokens with OpenAI's o200k_base encoding. Other providers tokenise differently (Claude and Gemini count some
/// 10–20% more on English text), so this is an estimate for pacing, never a bill: the llm_calls row keeps the provider's count.
/// </summary>
internal sealed class TiktokenEstimator : ITokenEstimator
{
    // OpenAI's documented framing: about 3 tokens around each message and 3 to prime the reply.
    internal const int PerMessageOverhead = 3;
    internal const int ReplyPriming = 3;

    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int EstimateInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tokenizer = Encoding.Value;
        var total = ReplyPriming;
        foreach (var message in messages)
        {
            total += PerMessageOverhead + tokenizer.CountTokens(message.Text);
        }

        // A JSON schema travels with the request (or, for Bedrock, inside the system prompt) and is counted as input.
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema })
        {
            total += tokenizer.CountTokens(schema.GetRawText());
        }

        return total;
    }
}
