using System.Buffers.Binary;
using System.IO.Hashing;

namespace Edison.Core.Datasets.Splits;

/// <summary>
/// Splits cases so each tag is spread over train, validation and test in the same proportions: cases are grouped by their
/// first tag (alphabetically; untagged cases form one group), shuffled by a seeded hash of their id, and each group is cut
/// by largest remainder. The same seed and cases always give the same split.
/// </summary>
public static class StratifiedSplitter
{
    /// <summary>The split of each case id.</summary>
    public static IReadOnlyDictionary<Guid, string> Assign(IEnumerable<(Guid Id, IReadOnlyList<string> Tags)> cases, int seed,
        double train = 0.6, double validation = 0.2)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentOutOfRangeException.ThrowIfNegative(train);
        ArgumentOutOfRangeException.ThrowIfNegative(validation);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(train + validation, 1.0);
        var result = new Dictionary<Guid, string>();
        foreach (var group in cases.GroupBy(c => c.Tags.Order(StringComparer.Ordinal).FirstOrDefault() ?? "", StringComparer.Ordinal))
        {
            var ordered = group.OrderBy(c => Hash(seed, c.Id)).ThenBy(c => c.Id).ToList();
            var trainCount = (int)Math.Round(ordered.Count * train, MidpointRounding.AwayFromZero);
            var validationCount = (int)Math.Round(ordered.Count * (train + validation), MidpointRounding.AwayFromZero) - trainCount;
            for (var i = 0; i < ordered.Count; i++)
            {
                result[ordered[i].Id] = i < trainCount ? SplitAssigner.Train
                    : i < trainCount + validationCount ? SplitAssigner.Validation : SplitAssigner.Test;
            }
        }

        return result;
    }

    private static ulong Hash(int seed, Guid id)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, seed);
        id.TryWriteBytes(bytes[4..]);
        return XxHash64.HashToUInt64(bytes);
    }
}
