using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// SHA-256 over everything that can change an answer: the same request for another credential, sample or purpose is a different entry.
internal static class ResponseCacheKey
{
    public static string Compute(LlmCallSpec spec, IList<ChatMessage> messages, ChatOptions? options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, spec.CredentialId.ToString("N"));
        Append(hash, spec.Model);
        Append(hash, spec.Purpose);
        Append(hash, spec.SampleIndex.ToString(CultureInfo.InvariantCulture));
        // The model config's parameters are applied inside the client (temperature, reasoning effort, thinking budget).
        Append(hash, spec.Parameters);
        Append(hash, options?.Temperature?.ToString("R", CultureInfo.InvariantCulture));
        Append(hash, options?.TopP?.ToString("R", CultureInfo.InvariantCulture));
        Append(hash, options?.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture));
        Append(hash, options?.Seed?.ToString(CultureInfo.InvariantCulture));
        Append(hash, options?.StopSequences is { } stops ? string.Join('\u001f', stops) : null);
        Append(hash, options?.ResponseFormat is { } format
            ? JsonSerializer.Serialize(format, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponseFormat)))
            : null);
        Append(hash, JsonSerializer.Serialize(messages, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IList<ChatMessage>))));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Length-prefixed, so ("ab", "c") and ("a", "bc") never hash alike; null differs from "".
    private static void Append(IncrementalHash hash, string? value)
    {
        var bytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
        hash.AppendData(BitConverter.GetBytes(value is null ? -1 : bytes.Length));
        hash.AppendData(bytes);
    }
}
