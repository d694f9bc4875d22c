namespace Edison.Core.Regression;

/// <summary>Checks a webhook address before it is stored: where Edison will POST an experiment's regression alerts.</summary>
public static class WebhookUrl
{
    /// <summary>The longest address accepted.</summary>
    public const int MaxLength = 2000;

    /// <summary>Why <paramref name="url"/> cannot be used outside Development, or null: see <see cref="Validate(string, bool)"/>.</summary>
    public static string? Validate(string url) => Validate(url, allowPlainHttpLoopback: false);

    /// <summary>
    /// Why <paramref name="url"/> cannot be used, or null. HTTPS only, except plain HTTP to this machine when
    /// <paramref name="allowPlainHttpLoopback"/> (a local receiver in Development); never a metadata or link-local address; no
    /// user name or password in the address, because it is shown on the page.
    /// </summary>
    public static string? Validate(string url, bool allowPlainHttpLoopback)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Length > MaxLength)
        {
            return $"The address is longer than {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return "Enter a full https:// address, e.g. https://hooks.example.com/edison.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Leave the user name and password out of the address; the request is signed instead.";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "Remove the #fragment: it is never sent to the server.";
        }

        if (Security.OutboundPolicy.Refusal(uri, allowPrivate: true) is { } refused)
        {
            return $"This address cannot receive webhooks: {refused}";
        }

        if (uri.Scheme == "http")
        {
            return !uri.IsLoopback ? "Use https://; plain http:// is accepted only for this machine (localhost), in Development."
                : !allowPlainHttpLoopback ? "Use https://; plain http:// to this machine is accepted only while Edison runs in Development."
                : null;
        }

        return null;
    }
}
