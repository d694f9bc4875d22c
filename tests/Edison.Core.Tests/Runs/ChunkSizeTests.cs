using Edison.Core.Runs;

namespace Edison.Core.Tests.Runs;

public sealed class ChunkSizeTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(20, 5)]
    [InlineData(100, 5)]
    [InlineData(200, 10)]
    [InlineData(1000, 50)]
    [InlineData(10000, 50)]
    public void ChunkSize_IsAboutATwentiethOfTheDataset_BetweenFiveAndFifty(int cases, int expected) =>
        Assert.Equal(expected, WorkProgress.ChunkSize(cases));

    [Fact]
    public void ChunkSize_SmallDatasetStillSplitsIntoSeveralChunks_SoProgressMovesWhileItRuns()
    {
        const int cases = 20;
        Assert.Equal(4, (cases + WorkProgress.ChunkSize(cases) - 1) / WorkProgress.ChunkSize(cases));
    }
}
