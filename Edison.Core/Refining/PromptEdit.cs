namespace Edison.Core.Refining;

/// <summary>
/// One edit of a prompt field, anchored to exact text that occurs exactly once in that field.
/// </summary>
/// <param name="Field">One of <see cref="SystemField"/>, <see cref="TemplateField"/>, <see cref="FewShotInputField"/>,
/// <see cref="FewShotOutputField"/>.</param>
/// <param name="Anchor">Exact text of the field that the edit is placed against.</param>
/// <param name="Operation">One of <see cref="Replace"/>, <see cref="InsertAfter"/>, <see cref="InsertBefore"/>,
/// <see cref="Delete"/>.</param>
/// <param name="Text">The new text (ignored by <see cref="Delete"/>).</param>
/// <param name="FewShotIndex">For a few-shot field, the example's zero-based index; null searches every example.</param>
public sealed record PromptEdit(string Field, string Anchor, string Operation, string Text, int? FewShotIndex = null)
{
    /// <summary>The system text.</summary>
    public const string SystemField = "system";

    /// <summary>The Liquid template.</summary>
    public const string TemplateField = "template";

    /// <summary>A few-shot example's input.</summary>
    public const string FewShotInputField = "few_shot_input";

    /// <summary>A few-shot example's output.</summary>
    public const string FewShotOutputField = "few_shot_output";

    /// <summary>The anchor becomes the text.</summary>
    public const string Replace = "replace";

    /// <summary>The text goes after the anchor (on a line of its own when the anchor is a whole line).</summary>
    public const string InsertAfter = "insert_after";

    /// <summary>The text goes before the anchor (on a line of its own when the anchor is a whole line).</summary>
    public const string InsertBefore = "insert_before";

    /// <summary>The anchor is removed (with its line break when it is a whole line).</summary>
    public const string Delete = "delete";

    /// <summary>Every field name, in the order the fields are shown.</summary>
    public static IReadOnlyList<string> Fields { get; } = [SystemField, TemplateField, FewShotInputField, FewShotOutputField];

    /// <summary>Every operation name.</summary>
    public static IReadOnlyList<string> Operations { get; } = [Replace, InsertAfter, InsertBefore, Delete];
}
