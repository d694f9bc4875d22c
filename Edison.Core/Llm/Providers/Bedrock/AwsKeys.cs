namespace Edison.Core.Llm.Providers.Bedrock;

/// AWS access keys as a Bedrock credential stores them: <c>ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]</c>.
internal sealed record AwsKeys(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    /// Null when the text is not in that shape; <see cref="Problem"/> says why in words.
    public static AwsKeys? Parse(string text) => Problem(text) is null ? Split(text) : null;

    public static string? Problem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            return "A Bedrock key is ACCESS_KEY_ID:SECRET_ACCESS_KEY (or ACCESS_KEY_ID:SECRET_ACCESS_KEY:SESSION_TOKEN for temporary keys).";
        }

        return parts[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? null
            : "The access key id (before the first ':') may hold only letters and digits, e.g. AKIAIOSFODNN7EXAMPLE.";
    }

    /// Keeps the secret out of logs that print the record.
    public override string ToString() => $"AWS keys {AccessKeyId}";

    private static AwsKeys Split(string text)
    {
        var parts = text.Split(':');
        return new AwsKeys(parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }
}
