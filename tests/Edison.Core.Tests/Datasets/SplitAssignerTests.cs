using Edison.Core.Datasets;

namespace Edison.Core.Tests.Datasets;

public sealed class SplitAssignerTests
{
    private const int Positions = 10_000;

    [Fact]
    public void Assign_SameSeedAndPosition_SameSplit()
    {
        var first = Enumerable.Range(0, 500).Select(p => SplitAssigner.Assign(42, p)).ToList();
        var second = Enumerable.Range(0, 500).Select(p => SplitAssigner.Assign(42, p)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Assign_ManyPositions_RoughlySixtyTwentyTwenty()
    {
        var counts = Enumerable.Range(0, Positions).Select(p => SplitAssigner.Assign(42, p))
            .GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count() * 100.0 / Positions);

        Assert.Equal(3, counts.Count);
        Assert.InRange(counts[SplitAssigner.Train], 58, 62);
        Assert.InRange(counts[SplitAssigner.Validation], 18, 22);
        Assert.InRange(counts[SplitAssigner.Test], 18, 22);
    }

    [Fact]
    public void Assign_DifferentSeed_DifferentAssignment()
    {
        var seed42 = Enumerable.Range(0, 1000).Select(p => SplitAssigner.Assign(42, p)).ToList();
        var seed43 = Enumerable.Range(0, 1000).Select(p => SplitAssigner.Assign(43, p)).ToList();

        var differing = seed42.Zip(seed43).Count(pair => pair.First != pair.Second);

        // Two independent 60/20/20 draws disagree on about 56% of positions.
        Assert.InRange(differing, 400, 700);
    }
}
