using System.Text.RegularExpressions;
using DiffPlex;

namespace Edison.Core.Refining;

/// <summary>What happened to a run of text between two versions of it.</summary>
public enum DiffChange
{
    /// <summary>In both texts.</summary>
    Unchanged,

    /// <summary>Only in the newer text.</summary>
    Added,

    /// <summary>Only in the older text.</summary>
    Removed,
}

/// <summary>A run of text and what happened to it; adjacent runs of the same change are merged.</summary>
public sealed record DiffSpan(DiffChange Change, string Text);

/// <summary>
/// A word-level diff of two texts (two answers to one case, two prompt versions), built on DiffPlex like
/// <see cref="PromptDiff"/>. Words, runs of whitespace and single punctuation marks are the units, so a changed word is
/// marked alone and line breaks survive.
/// </summary>
public static partial class WordDiff
{
    private static readonly IChunker Words = new TokenChunker();

    /// <summary>The texts as one sequence: unchanged runs, with removed runs before the added runs that replace them.</summary>
    public static IReadOnlyList<DiffSpan> Compare(string? before, string? after)
    {
        var result = Differ.Instance.CreateDiffs(before ?? "", after ?? "", ignoreWhiteSpace: false, ignoreCase: false, Words);
        var spans = new List<DiffSpan>();
        var a = 0;
        foreach (var block in result.DiffBlocks)
        {
            Append(spans, DiffChange.Unchanged, result.PiecesOld, a, block.DeleteStartA - a);
            Append(spans, DiffChange.Removed, result.PiecesOld, block.DeleteStartA, block.DeleteCountA);
            Append(spans, DiffChange.Added, result.PiecesNew, block.InsertStartB, block.InsertCountB);
            a = block.DeleteStartA + block.DeleteCountA;
        }

        Append(spans, DiffChange.Unchanged, result.PiecesOld, a, result.PiecesOld.Count - a);
        return spans;
    }

    /// <summary>The older text's side of a side-by-side view: unchanged and removed runs.</summary>
    public static IReadOnlyList<DiffSpan> Before(IReadOnlyList<DiffSpan> spans) => Merge(spans.Where(s => s.Change != DiffChange.Added));

    /// <summary>The newer text's side of a side-by-side view: unchanged and added runs.</summary>
    public static IReadOnlyList<DiffSpan> After(IReadOnlyList<DiffSpan> spans) => Merge(spans.Where(s => s.Change != DiffChange.Removed));

    private static List<DiffSpan> Merge(IEnumerable<DiffSpan> spans)
    {
        var merged = new List<DiffSpan>();
        foreach (var span in spans)
        {
            Add(merged, span.Change, span.Text);
        }

        return merged;
    }

    private static void Append(List<DiffSpan> spans, DiffChange change, IReadOnlyList<string> pieces, int start, int count)
    {
        if (count > 0)
        {
            Add(spans, change, string.Concat(pieces.Skip(start).Take(count)));
        }
    }

    private static void Add(List<DiffSpan> spans, DiffChange change, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (spans.Count > 0 && spans[^1].Change == change)
        {
            spans[^1] = spans[^1] with { Text = spans[^1].Text + text };
        }
        else
        {
            spans.Add(new DiffSpan(change, text));
        }
    }

    [GeneratedRegex(@"\s+|[\p{L}\p{N}_'’-]+|[^\s\p{L}\p{N}_]", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    // DiffPlex's own word chunker drops line breaks into words; this one keeps every character, each in one unit.
    private sealed class TokenChunker : IChunker
    {
        public IReadOnlyList<string> Chunk(string text) => Token().Matches(text).Select(m => m.Value).ToList();
    }
}
