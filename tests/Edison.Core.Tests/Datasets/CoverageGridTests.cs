using Edison.Core.Datasets.Coverage;

namespace Edison.Core.Tests.Datasets;

public sealed class CoverageGridTests
{
    [Fact]
    public void Build_CasesWithSeveralTagsAndNone_EveryCombinationIsACellAndThinCellsAreGaps()
    {
        CoverageCase[] cases =
        [
            Case(0, ["refund", "vip"], "easy", 10, 0.2),
            Case(1, ["refund"], "easy", 20, 0.4),
            Case(2, ["refund"], "easy", 79, null),
            Case(3, [], null, 500, 1.0),
        ];

        var map = CoverageGrid.Build(cases, null, null);

        Assert.Equal([CoverageMap.Untagged, "refund", "vip"], map.Tags);
        Assert.Equal(3 * 4 * 3, map.Cells.Count);
        var refund = map.Cell("refund", "easy", LengthBuckets.ShortInput);
        Assert.Equal((3, false), (refund.Count, refund.IsGap));
        Assert.Equal(0.3, refund.MeanScore!.Value, 10);
        Assert.Equal("low", refund.Band);
        Assert.Equal((1, true, "low"), (map.Cell("vip", "easy", LengthBuckets.ShortInput).Count, map.Cell("vip", "easy", LengthBuckets.ShortInput).IsGap,
            map.Cell("vip", "easy", LengthBuckets.ShortInput).Band));
        Assert.Equal((1, "high"), (map.Cell(CoverageMap.Untagged, CoverageMap.NoDifficulty, LengthBuckets.LongInput).Count,
            map.Cell(CoverageMap.Untagged, CoverageMap.NoDifficulty, LengthBuckets.LongInput).Band));
        Assert.Equal(35, map.Gaps.Count());
    }

    [Theory]
    [InlineData(0, "short")]
    [InlineData(79, "short")]
    [InlineData(80, "medium")]
    [InlineData(400, "medium")]
    [InlineData(401, "long")]
    public void Of_Length_FallsInItsBucket(int characters, string bucket) => Assert.Equal(bucket, LengthBuckets.Of(characters));

    [Fact]
    public void Band_UnscoredCell_IsNone() =>
        Assert.Equal(("none", (double?)null), (new CoverageCell("t", "easy", "short", [Case(0, ["t"], "easy", 5, null)]).Band,
            new CoverageCell("t", "easy", "short", [Case(0, ["t"], "easy", 5, null)]).MeanScore));

    private static CoverageCase Case(int position, string[] tags, string? difficulty, int length, double? score) =>
        new(Guid.NewGuid(), position, tags, difficulty, length, score);
}
