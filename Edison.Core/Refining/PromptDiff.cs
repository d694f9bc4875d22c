using System.Globalization;
using System.Text;
using DiffPlex;
using DiffPlex.Renderer;

namespace Edison.Core.Refining;

/// <summary>A line-based unified diff of two prompts, one section per changed field, with two lines of context.</summary>
public static class PromptDiff
{
    private const int ContextLines = 2;
    private static readonly UnidiffRenderer Renderer = new(Differ.Instance, ContextLines);

    /// <summary>The diff with <c>--- before/{field}</c> and <c>+++ after/{field}</c> headers; empty when nothing changed.</summary>
    public static string Unified(PromptFields before, PromptFields after) => Unified(before, after, "before", "after");

    /// <summary>
    /// The diff with <c>--- {beforeLabel}/{field}</c> and <c>+++ {afterLabel}/{field}</c> headers (for example v3 and v4);
    /// empty when nothing changed.
    /// </summary>
    public static string Unified(PromptFields before, PromptFields after, string beforeLabel, string afterLabel)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var builder = new StringBuilder();
        foreach (var (field, old, @new) in Fields(before, after))
        {
            if (string.Equals(old, @new, StringComparison.Ordinal))
            {
                continue;
            }

            var diff = Renderer.Generate(old, @new, $"{beforeLabel}/{field}", $"{afterLabel}/{field}", ignoreWhitespace: false, ignoreCase: false);
            builder.Append(diff.ReplaceLineEndings("\n"));
            if (builder.Length > 0 && builder[^1] != '\n')
            {
                builder.Append('\n');
            }
        }

        return builder.ToString();
    }

    /// <summary>A word-level diff of each changed field, in field order, for a side-by-side view; empty when nothing changed.</summary>
    public static IReadOnlyList<FieldWordDiff> Words(PromptFields before, PromptFields after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Fields(before, after).Where(f => !string.Equals(f.Before, f.After, StringComparison.Ordinal))
            .Select(f => new FieldWordDiff(f.Field, WordDiff.Compare(f.Before, f.After))).ToList();
    }

    private static IEnumerable<(string Field, string Before, string After)> Fields(PromptFields before, PromptFields after)
    {
        yield return ("system", before.SystemText, after.SystemText);
        yield return ("template", before.Template, after.Template);
        for (var i = 0; i < Math.Max(before.FewShots.Count, after.FewShots.Count); i++)
        {
            var index = i.ToString(CultureInfo.InvariantCulture);
            yield return ($"few_shot[{index}].input", before.FewShots.ElementAtOrDefault(i)?.Input ?? "", after.FewShots.ElementAtOrDefault(i)?.Input ?? "");
            yield return ($"few_shot[{index}].output", before.FewShots.ElementAtOrDefault(i)?.Output ?? "", after.FewShots.ElementAtOrDefault(i)?.Output ?? "");
        }
    }
}

/// <summary>One prompt field's word-level changes.</summary>
public sealed record FieldWordDiff(string Field, IReadOnlyList<DiffSpan> Spans)
{
    /// <summary>The older text with its removed words.</summary>
    public IReadOnlyList<DiffSpan> Before => WordDiff.Before(Spans);

    /// <summary>The newer text with its added words.</summary>
    public IReadOnlyList<DiffSpan> After => WordDiff.After(Spans);
}
