namespace Edison.Core.Checks;

/// <summary>The findings of one scan so far, and the spans of text already taken, so no two findings overlap.</summary>
internal sealed class Findings(string text)
{
    private const int VisibleTail = 4;
    private const string Mask = "••••";

    private static readonly Comparer<(int Start, int End)> StartComparer = Comparer<(int Start, int End)>.Create((a, b) => a.Start.CompareTo(b.Start));

    private readonly List<PiiFinding> _found = [];
    // Sorted by start; the spans never overlap, so only the neighbours of a new span need checking.
    private readonly List<(int Start, int End)> _taken = [];

    public string Text { get; } = text;

    public void Add(string kind, int index, int length)
    {
        if (Claim(index, index + length))
        {
            _found.Add(new PiiFinding(kind, index, length, Masked(kind, Text.Substring(index, length))));
        }
    }

    /// <summary>Takes the span [start, end) unless it overlaps one already taken; says whether it did.</summary>
    public bool Claim(int start, int end)
    {
        var at = _taken.BinarySearch((start, end), StartComparer);
        at = at < 0 ? ~at : at;
        if ((at > 0 && _taken[at - 1].End > start) || (at < _taken.Count && _taken[at].Start < end))
        {
            return false;
        }

        _taken.Insert(at, (start, end));
        return true;
    }

    public IReadOnlyList<PiiFinding> InOrder() => _found.OrderBy(f => f.Index).ToList();

    // Separators would let the tail give away the layout, and "•••• 32" reads worse than "••••5432".
    private static string Masked(string kind, string value)
    {
        var kept = kind == PiiKinds.Email ? value : string.Concat(value.Where(char.IsLetterOrDigit));
        return Mask + (kept.Length > VisibleTail ? kept[^VisibleTail..] : "");
    }
}
