namespace Edison.Core.Datasets.Coverage;

/// <summary>Places cases in tag × difficulty × length cells; a case with several tags counts in each of its tags' cells.</summary>
public static class CoverageGrid
{
    /// <summary>The difficulties, in order, plus <see cref="CoverageMap.NoDifficulty"/>.</summary>
    public static readonly IReadOnlyList<string> Difficulties = ["easy", "medium", "hard", CoverageMap.NoDifficulty];

    /// <summary>Builds the full grid (every combination, empty cells included).</summary>
    public static CoverageMap Build(IReadOnlyList<CoverageCase> cases, Guid? iterationId, int? iterationNumber)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var tags = cases.SelectMany(TagsOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var lookup = cases
            .SelectMany(c => TagsOf(c).Distinct(StringComparer.Ordinal).Select(t => (Key: (t, c.Difficulty ?? CoverageMap.NoDifficulty, LengthBuckets.Of(c.Length)), Case: c)))
            .ToLookup(x => x.Key, x => x.Case);
        var cells = new List<CoverageCell>();
        foreach (var tag in tags)
        {
            foreach (var difficulty in Difficulties)
            {
                foreach (var length in LengthBuckets.All)
                {
                    cells.Add(new CoverageCell(tag, difficulty, length, lookup[(tag, difficulty, length)].OrderBy(c => c.Position).ToList()));
                }
            }
        }

        return new CoverageMap(tags, Difficulties, LengthBuckets.All, cells, iterationId, iterationNumber);
    }

    private static IEnumerable<string> TagsOf(CoverageCase c) => c.Tags.Count == 0 ? [CoverageMap.Untagged] : c.Tags;
}
