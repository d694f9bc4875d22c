using System.Buffers.Binary;
using System.IO.Hashing;

namespace Edison.Core.Datasets.Splits;

/// <summary>
/// Splits cases so each tag is spread over train, validation and test in the same proportions, with exact counts: the totals
/// come from <see cref="Counts"/> (largest remainder, no split left empty from three cases up), cases are ordered by their first
/// tag (alphabetically; untagged cases form one group) and then by a seeded hash of their id, and the split labels are dealt
/// over that order evenly, so every tag gets its share. The same seed and cases always give the same split.
/// </summary>
public static class StratifiedSplitter
{
    /// <summary>The split of each case id.</summary>
    public static IReadOnlyDictionary<Guid, string> Assign(IEnumerable<(Guid Id, IReadOnlyList<string> Tags)> cases, int seed,
        double train = 0.6, double validation = 0.2)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var ordered = cases
            .Select(c => (c.Id, Group: c.Tags.Order(StringComparer.Ordinal).FirstOrDefault() ?? ""))
            .OrderBy(c => c.Group, StringComparer.Ordinal).ThenBy(c => Hash(seed, c.Id)).ThenBy(c => c.Id)
            .ToList();
        var (trainCount, validationCount, testCount) = Counts(ordered.Count, train, validation);
        int[] target = [trainCount, validationCount, testCount];
        string[] names = [SplitAssigner.Train, SplitAssigner.Validation, SplitAssigner.Test];
        var dealt = new int[3];
        var result = new Dictionary<Guid, string>();
        for (var i = 0; i < ordered.Count; i++)
        {
            // Deal the label furthest behind its even share so far, so each stretch of the order (each tag) gets its share.
            var best = -1;
            var bestDeficit = double.NegativeInfinity;
            for (var s = 0; s < 3; s++)
            {
                if (dealt[s] >= target[s])
                {
                    continue;
                }

                var deficit = ((double)target[s] * (i + 1) / ordered.Count) - dealt[s];
                if (deficit > bestDeficit + 1e-12)
                {
                    best = s;
                    bestDeficit = deficit;
                }
            }

            dealt[best]++;
            result[ordered[i].Id] = names[best];
        }

        return result;
    }

    /// <summary>
    /// Exact train / validation / test counts for <paramref name="n"/> cases by largest remainder (ties go to validation, then
    /// test, then train); from three cases up no split is left empty, the one taken from the largest.
    /// </summary>
    public static (int Train, int Validation, int Test) Counts(int n, double train = 0.6, double validation = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(train);
        ArgumentOutOfRangeException.ThrowIfNegative(validation);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(train + validation, 1.0);
        double[] shares = [n * train, n * validation, n * (1 - train - validation)];
        var counts = shares.Select(s => (int)Math.Floor(s + 1e-9)).ToArray();
        int[] tieOrder = [1, 2, 0];
        foreach (var s in Enumerable.Range(0, 3).OrderByDescending(s => shares[s] - counts[s]).ThenBy(s => Array.IndexOf(tieOrder, s))
                     .Take(n - counts.Sum()))
        {
            counts[s]++;
        }

        if (n >= 3)
        {
            for (var s = 0; s < 3; s++)
            {
                if (counts[s] == 0 && shares[s] > 0)
                {
                    counts[Array.IndexOf(counts, counts.Max())]--;
                    counts[s]++;
                }
            }
        }

        return (counts[0], counts[1], counts[2]);
    }

    private static ulong Hash(int seed, Guid id)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, seed);
        id.TryWriteBytes(bytes[4..]);
        return XxHash64.HashToUInt64(bytes);
    }
}
