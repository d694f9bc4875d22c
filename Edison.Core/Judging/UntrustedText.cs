using System.Security.Cryptography;
using System.Text;

namespace Edison.Core.Judging;

/// <summary>
/// Fences text a judge must treat as data. The delimiter is derived from a hash of the text itself, so the text
/// cannot contain its own closing fence (it would change the hash), yet the same text gives the same prompt.
/// </summary>
public static class UntrustedText
{
    /// <summary>Wraps <paramref name="text"/> in a labelled fence.</summary>
    public static string Fence(string label, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tag = "DATA-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(label + "\n" + text)))[..20];
        return $"<{tag} name=\"{label}\">\n{text}\n</{tag}>";
    }
}
