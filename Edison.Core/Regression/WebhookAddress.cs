namespace Edison.Core.Regression;

/// <summary>
/// How a webhook address is shown where its reader may not use it: many receivers (Slack, Teams, Discord) put the secret in
/// the path or query, so viewers and the audit log see only the scheme, host and port (issue 18, finding 15).
/// </summary>
public static class WebhookAddress
{
    /// <summary><c>https://hooks.example.com/…</c> for <c>https://hooks.example.com/services/T0/B0/secret</c>.</summary>
    public static string? Masked(string? url)
    {
        if (url is null)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "(hidden)";
        }

        var origin = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.IdnHost}" : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
        return uri.PathAndQuery is "/" or "" ? origin + "/" : origin + "/…";
    }
}
