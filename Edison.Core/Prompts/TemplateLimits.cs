namespace Edison.Core.Prompts;

/// <summary>
/// The bounds every prompt render runs under (see docs/security.md, "Hostile input limits"): statements executed, wall-clock
/// time and output length. A render that passes one stops with a <see cref="TemplateLimitException"/> that says which.
/// </summary>
public static class TemplateLimits
{
    /// <summary>Statements (loop turns, tags, outputs) one render may execute.</summary>
    public const int MaxSteps = 100_000;

    /// <summary>Characters one render may produce (about 250,000 tokens, more than any model's context).</summary>
    public const int MaxOutputChars = 1_000_000;

    /// <summary>Wall-clock time one render may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
}

/// <summary>A render stopped at one of the <see cref="TemplateLimits"/>; the message says which, in words.</summary>
public sealed class TemplateLimitException : Exception
{
    /// <summary>A limit stopped the render.</summary>
    public TemplateLimitException()
    {
    }

    /// <summary>A limit stopped the render, as <paramref name="message"/> says.</summary>
    public TemplateLimitException(string message)
        : base(message)
    {
    }

    /// <summary>A limit stopped the render, as <paramref name="message"/> says; <paramref name="innerException"/> is Fluid's own.</summary>
    public TemplateLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
