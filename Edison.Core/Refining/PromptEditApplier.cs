using System.Globalization;
using Edison.Core.Prompts;

namespace Edison.Core.Refining;

/// <summary>
/// Applies a refiner's edits deterministically, in order, each to the result of the one before, then checks the outcome:
/// every anchor found exactly once, the template still parses and keeps its required variables, the size change bounded.
/// A refused set comes back with every reason in words, so they can be fed back to the model.
/// </summary>
public static class PromptEditApplier
{
    /// <summary>
    /// Applies <paramref name="edits"/> to <paramref name="current"/>. The size change is the sum over fields of
    /// |new length − old length|, divided by the old length of all fields together.
    /// </summary>
    public static EditApplication Apply(PromptFields current, IReadOnlyList<PromptEdit> edits, IReadOnlySet<string> requiredVariables,
        double maxChangeFraction)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(edits);
        ArgumentNullException.ThrowIfNull(requiredVariables);
        if (edits.Count == 0)
        {
            return Refused("The edit set is empty: there is nothing to apply.");
        }

        var system = current.SystemText;
        var template = current.Template;
        var inputs = current.FewShots.Select(f => f.Input).ToArray();
        var outputs = current.FewShots.Select(f => f.Output).ToArray();
        var errors = new List<string>();
        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            if (edit is null)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Edit {i + 1} is empty."));
                continue;
            }

            var label = string.Create(CultureInfo.InvariantCulture, $"Edit {i + 1} ({edit.Operation} in {edit.Field})");
            if (Shape(edit, label) is { } shapeError)
            {
                errors.Add(shapeError);
                continue;
            }

            switch (edit.Field)
            {
                case PromptEdit.SystemField:
                    system = EditText(system, edit, label, "system text", errors) ?? system;
                    break;
                case PromptEdit.TemplateField:
                    template = EditText(template, edit, label, "template", errors) ?? template;
                    break;
                case PromptEdit.FewShotInputField:
                    EditFewShot(inputs, edit, label, "input", errors);
                    break;
                default:
                    EditFewShot(outputs, edit, label, "output", errors);
                    break;
            }
        }

        if (errors.Count > 0)
        {
            return new EditApplication(null, errors);
        }

        var result = new PromptFields(system, template, inputs.Zip(outputs, (input, output) => new FewShotExample(input, output)).ToList());
        if (result.SameTextAs(current))
        {
            return Refused("The edits change nothing: the proposed prompt is identical to the current one.");
        }

        CheckTemplate(current.Template, template, requiredVariables, errors);
        CheckSize(current, result, maxChangeFraction, errors);
        return errors.Count > 0 ? new EditApplication(null, errors) : new EditApplication(result, []);
    }

    private static EditApplication Refused(string error) => new(null, [error]);

    private static string? Shape(PromptEdit edit, string label)
    {
        if (edit.Field is null || !PromptEdit.Fields.Contains(edit.Field))
        {
            return $"{label}: the field must be one of {string.Join(", ", PromptEdit.Fields)}.";
        }

        if (edit.Operation is null || !PromptEdit.Operations.Contains(edit.Operation))
        {
            return $"{label}: the operation must be one of {string.Join(", ", PromptEdit.Operations)}.";
        }

        if (string.IsNullOrEmpty(edit.Anchor))
        {
            return $"{label}: the anchor is empty; it must be exact text of the field.";
        }

        if (edit.Operation is PromptEdit.InsertAfter or PromptEdit.InsertBefore && string.IsNullOrEmpty(edit.Text))
        {
            return $"{label}: there is no text to insert.";
        }

        return null;
    }

    private static void EditFewShot(string[] texts, PromptEdit edit, string label, string part, List<string> errors)
    {
        if (edit.FewShotIndex is { } index)
        {
            if (index < 0 || index >= texts.Length)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: there is no few-shot example {index} (the prompt has {texts.Length}, numbered from 0)."));
                return;
            }

            texts[index] = EditText(texts[index], edit, label, string.Create(CultureInfo.InvariantCulture, $"few-shot example {index}'s {part}"),
                errors) ?? texts[index];
            return;
        }

        var found = texts.Select((text, i) => (Index: i, Count: Occurrences(text, edit.Anchor))).Where(x => x.Count > 0).ToList();
        var total = found.Sum(x => x.Count);
        if (total != 1)
        {
            errors.Add(AnchorError(label, edit.Anchor, total, $"few-shot {part}s"));
            return;
        }

        var only = found[0].Index;
        texts[only] = EditText(texts[only], edit, label, $"few-shot {part}", errors) ?? texts[only];
    }

    /// The edited text, or null (with the reason added to <paramref name="errors"/>) when the anchor is not found exactly once.
    private static string? EditText(string text, PromptEdit edit, string label, string where, List<string> errors)
    {
        var count = Occurrences(text, edit.Anchor);
        if (count != 1)
        {
            errors.Add(AnchorError(label, edit.Anchor, count, where));
            return null;
        }

        var start = text.IndexOf(edit.Anchor, StringComparison.Ordinal);
        var end = start + edit.Anchor.Length;
        var wholeLine = (start == 0 || text[start - 1] == '\n') && (end == text.Length || text[end] is '\n' or '\r');
        var insert = edit.Text ?? "";
        return edit.Operation switch
        {
            PromptEdit.Replace => string.Concat(text.AsSpan(0, start), insert, text.AsSpan(end)),
            PromptEdit.InsertAfter => string.Concat(text[..end], wholeLine && !insert.StartsWith('\n') ? "\n" : "", insert, text[end..]),
            PromptEdit.InsertBefore => string.Concat(text[..start], insert, wholeLine && !insert.EndsWith('\n') ? "\n" : "", text[start..]),
            _ => DeleteAnchor(text, start, end, wholeLine),
        };
    }

    /// A whole line goes with one line break, so no empty line is left where it was.
    private static string DeleteAnchor(string text, int start, int end, bool wholeLine)
    {
        if (wholeLine)
        {
            if (end < text.Length)
            {
                end += text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1;
            }
            else if (start > 0)
            {
                start -= start > 1 && text[start - 2] == '\r' ? 2 : 1;
            }
        }

        return string.Concat(text.AsSpan(0, start), text.AsSpan(end));
    }

    private static string AnchorError(string label, string anchor, int count, string where) => count == 0
        ? $"{label}: the anchor \"{Shorten(anchor)}\" was not found in the {where}."
        : string.Create(CultureInfo.InvariantCulture,
            $"{label}: the anchor \"{Shorten(anchor)}\" was found {count} times in the {where}; an anchor must occur exactly once.");

    /// Counts overlapping occurrences too: "aa" in "aaa" is ambiguous.
    private static int Occurrences(string text, string anchor)
    {
        var count = 0;
        for (var at = text.IndexOf(anchor, StringComparison.Ordinal); at >= 0; at = text.IndexOf(anchor, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static void CheckTemplate(string before, string after, IReadOnlySet<string> requiredVariables, List<string> errors)
    {
        if (!PromptTemplate.TryParseForSave(after, out var parsed, out var parseError))
        {
            errors.Add($"The edited template no longer parses. {parseError}");
            return;
        }

        var used = PromptTemplate.TryParse(before, out var original, out _) ? original!.Variables.ToHashSet(StringComparer.Ordinal) : null;
        foreach (var variable in requiredVariables.Order(StringComparer.Ordinal))
        {
            if ((used is null || used.Contains(variable)) && !parsed!.Variables.Contains(variable, StringComparer.Ordinal))
            {
                errors.Add($"The edits removed the variable {{{{ {variable} }}}} from the template; the cases need it.");
            }
        }
    }

    private static void CheckSize(PromptFields before, PromptFields after, double maxChangeFraction, List<string> errors)
    {
        var changed = Math.Abs(after.SystemText.Length - before.SystemText.Length) + Math.Abs(after.Template.Length - before.Template.Length)
            + before.FewShots.Zip(after.FewShots, (b, a) => Math.Abs(a.Input.Length - b.Input.Length) + Math.Abs(a.Output.Length - b.Output.Length)).Sum();
        var fraction = (double)changed / Math.Max(1, before.TotalLength);
        if (fraction > maxChangeFraction)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"The edits change the prompt's size by {fraction * 100:0.#}% ({changed} of {before.TotalLength} characters); the limit is {maxChangeFraction * 100:0.#}%."));
        }
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
