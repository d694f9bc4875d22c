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
}
