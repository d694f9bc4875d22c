namespace Edison.Core.Refining;

/// <summary>The editable fields of a prompt version: system text, Liquid template and few-shot examples.</summary>
public sealed record PromptFields(string SystemText, string Template, IReadOnlyList<FewShotExample> FewShots)
{
    /// <summary>True when both have the same text in every field (the lists compared item by item).</summary>
    public bool SameTextAs(PromptFields other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(SystemText, other.SystemText, StringComparison.Ordinal)
            && string.Equals(Template, other.Template, StringComparison.Ordinal)
            && FewShots.SequenceEqual(other.FewShots);
    }

    /// <summary>The characters of every field together: the base of the size-change limit.</summary>
    public int TotalLength => SystemText.Length + Template.Length + FewShots.Sum(f => f.Input.Length + f.Output.Length);
}
