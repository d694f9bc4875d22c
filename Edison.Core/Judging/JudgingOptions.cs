namespace Edison.Core.Judging;

/// <summary>How judge prompts are built.</summary>
internal sealed class JudgingOptions
{
    /// <summary>
    /// Whether untrusted text (case inputs, model outputs) is fenced. Always on in the product; the injection test turns it
    /// off to prove that fencing is what keeps a gullible judge from obeying an output.
    /// </summary>
    public bool FenceUntrustedText { get; set; } = true;
}
