using Edison.Core.Datasets.Splits;

namespace Edison.Core.Tests.Datasets;

public sealed class StratifiedSplitterTests
{
    private static readonly List<(Guid Id, IReadOnlyList<string> Tags)> Cases =
    [
        .. Enumerable.Range(0, 50).Select(i => (new Guid(i, 0, 0, new byte[8]), (IReadOnlyList<string>)["refund"])),
        .. Enumerable.Range(50, 30).Select(i => (new Guid(i, 0, 0, new byte[8]), (IReadOnlyList<string>)["login", "urgent"])),
        .. Enumerable.Range(80, 20).Select(i => (new Guid(i, 0, 0, new byte[8]), (IReadOnlyList<string>)[])),
    ];

    [Fact]
    public void Assign_ThreeStrata_EachTagSplitSixtyTwentyTwenty()
    {
        var splits = StratifiedSplitter.Assign(Cases, seed: 7);

        int Count(int from, int to, string split) => Cases.Skip(from).Take(to - from).Count(c => splits[c.Id] == split);
        Assert.Equal((30, 10, 10), (Count(0, 50, "train"), Count(0, 50, "validation"), Count(0, 50, "test")));
        Assert.Equal((18, 6, 6), (Count(50, 80, "train"), Count(50, 80, "validation"), Count(50, 80, "test")));
        Assert.Equal((12, 4, 4), (Count(80, 100, "train"), Count(80, 100, "validation"), Count(80, 100, "test")));
    }

    [Fact]
    public void Assign_SameSeed_SameSplitAndOtherSeedDiffers()
    {
        var a = StratifiedSplitter.Assign(Cases, seed: 7);
        var b = StratifiedSplitter.Assign(Cases.AsEnumerable().Reverse(), seed: 7);
        var c = StratifiedSplitter.Assign(Cases, seed: 8);

        Assert.All(Cases, x => Assert.Equal(a[x.Id], b[x.Id]));
        Assert.Contains(Cases, x => a[x.Id] != c[x.Id]);
    }

    [Fact]
    public void Assign_TwelveCasesInFourTagsOfThree_ExactCountsAndNoSplitEmpty()
    {
        // Cut per tag, three cases give 2 / 1 / 0 or 2 / 0 / 1; the old per-group rounding could leave validation with none.
        var cases = Enumerable.Range(0, 12)
            .Select(i => (new Guid(i, 0, 0, new byte[8]), (IReadOnlyList<string>)[$"tag{i / 3}"])).ToList();

        var split = StratifiedSplitter.Assign(cases, seed: 1);

        Assert.Equal((7, 3, 2), (split.Values.Count(v => v == "train"), split.Values.Count(v => v == "validation"), split.Values.Count(v => v == "test")));
    }

    [Theory]
    [InlineData(3, 1, 1, 1)]
    [InlineData(5, 3, 1, 1)]
    [InlineData(12, 7, 3, 2)]
    [InlineData(40, 24, 8, 8)]
    public void Counts_SmallDatasets_LargestRemainderWithNoSplitEmpty(int n, int train, int validation, int test) =>
        Assert.Equal((train, validation, test), StratifiedSplitter.Counts(n));
}
