namespace Edison.Core.Refining;

/// Judges repeat each other; the refiner sees each suggestion once with how many times it was made, most frequent first.
internal static class SuggestionDigest
{
    public static IReadOnlyList<(string Text, int Count)> Deduplicate(IEnumerable<string> suggestions)
    {
        var counts = new Dictionary<string, (string Text, int Count, int First)>(StringComparer.Ordinal);
        var position = 0;
        foreach (var suggestion in suggestions)
        {
            if (string.IsNullOrWhiteSpace(suggestion))
            {
                continue;
            }

            var key = Normalise(suggestion);
            counts[key] = counts.TryGetValue(key, out var seen) ? seen with { Count = seen.Count + 1 } : (suggestion.Trim(), 1, position++);
        }

        return counts.Values.OrderByDescending(c => c.Count).ThenBy(c => c.First).Select(c => (c.Text, c.Count)).ToList();
    }

    private static string Normalise(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}
