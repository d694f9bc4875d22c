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

    /// <summary>The longest run of non-whitespace characters counted in one piece.</summary>
    internal const int MaxRunChars = 200;

    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int EstimateInputTokens(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var tokenizer = Encoding.Value;
        var total = ReplyPriming;
        foreach (var message in messages)
        {
            total += PerMessageOverhead + Count(tokenizer, message.Text);
        }

        // A JSON schema travels with the request (or, for Bedrock, inside the system prompt) and is counted as input.
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema })
        {
            total += Count(tokenizer, schema.GetRawText());
        }

        return total;
    }

    /// <summary>
    /// Counts <paramref name="text"/> in pieces, cutting any run of more than <see cref="MaxRunChars"/> characters of one kind
    /// (whitespace or not): byte-pair merging is quadratic in a word's length, so one 200,000-character "word" took most of a minute.
    /// Ordinary text is counted exactly as before; a cut run may count a token or two more per cut.
    /// </summary>
    internal static int Count(Tokenizer tokenizer, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var (total, start, run) = (0, 0, 0);
        for (var i = 0; i < text.Length; i++)
        {
            // A run is characters of one kind (whitespace or not): a long run of either is one pre-token to the encoder.
            if (i > 0 && char.IsWhiteSpace(text[i]) != char.IsWhiteSpace(text[i - 1]))
            {
                run = 0;
            }

            if (++run >= MaxRunChars && !char.IsHighSurrogate(text[i]))
            {
                total += tokenizer.CountTokens(text.AsSpan(start, i + 1 - start));
                (start, run) = (i + 1, 0);
            }
        }

        return start < text.Length ? total + tokenizer.CountTokens(text.AsSpan(start)) : total;
    }
}
