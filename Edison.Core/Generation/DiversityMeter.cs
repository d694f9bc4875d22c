namespace Edison.Core.Generation;

/// <summary>How varied a set of cases is: mean pairwise MinHash-Jaccard distance, and distinct tags per 100 cases.</summary>
public static class DiversityMeter
{
    /// <summary>The mean of 1 − estimated Jaccard similarity over all pairs (0 when fewer than two cases).</summary>
    public static double MeanPairwiseDistance(IReadOnlyList<ulong[]> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        if (signatures.Count < 2)
        {
            return 0;
        }

        double sum = 0;
        long pairs = 0;
        for (var i = 0; i < signatures.Count; i++)
        {
            for (var j = i + 1; j < signatures.Count; j++)
            {
                sum += 1 - MinHash.Similarity(signatures[i], signatures[j]);
                pairs++;
            }
        }

        return sum / pairs;
    }

    /// <summary>Distinct tags per 100 cases (0 for no cases).</summary>
    public static double TagsPer100(IReadOnlyList<IReadOnlyList<string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return tags.Count == 0 ? 0 : tags.SelectMany(t => t).Distinct(StringComparer.OrdinalIgnoreCase).Count() * 100.0 / tags.Count;
    }
}
