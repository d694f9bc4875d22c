using Edison.Core.Llm;

namespace Edison.Core.Tests.Llm;

public sealed class LocalRateLogTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryAcquire_UpToTheLimit_GrantsThenNamesTheWaitUntilTheOldestLeaves()
    {
        var log = new LocalRateLog();
        var credential = Guid.NewGuid();

        var granted = Enumerable.Range(0, 3).Select(i => log.TryAcquire(credential, Guid.NewGuid(), 3, Window, Start.AddMilliseconds(i * 100))).ToList();
        var refused = log.TryAcquire(credential, Guid.NewGuid(), 3, Window, Start.AddSeconds(1));

        Assert.All(granted, wait => Assert.Equal(TimeSpan.Zero, wait));
        Assert.Equal(TimeSpan.FromSeconds(2), refused);
        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 3, Window, Start.AddSeconds(3)));
        Assert.Equal(TimeSpan.Zero, log.TryAcquire(Guid.NewGuid(), Guid.NewGuid(), 3, Window, Start.AddSeconds(1)));
    }

    [Fact]
    public void Restamp_EntryMovedToTheEndOfItsRequest_CountsFromThere()
    {
        var log = new LocalRateLog();
        var credential = Guid.NewGuid();
        var entry = Guid.NewGuid();
        log.TryAcquire(credential, entry, 1, Window, Start);

        log.Restamp(credential, entry, Start.AddSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), log.TryAcquire(credential, Guid.NewGuid(), 1, Window, Start.AddSeconds(3)));
        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 1, Window, Start.AddSeconds(5)));
    }

    [Fact]
    public void TryAcquire_Weighted_AdmitsWhileTheWindowsTokensFitAndWaitsForEnoughToExpire()
    {
        var log = new LocalRateLog();
        var credential = Guid.NewGuid();

        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start, 40));
        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start.AddSeconds(1), 40));
        // 80 used: 30 more would pass 100 until the first 40 leave the window, at Start + 3 s.
        Assert.Equal(TimeSpan.FromSeconds(1), log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start.AddSeconds(2), 30));
        // 90 more needs both entries gone: the second leaves at Start + 4 s.
        Assert.Equal(TimeSpan.FromSeconds(2), log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start.AddSeconds(2), 90));
        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start.AddSeconds(3), 30));
    }

    [Fact]
    public void TryAcquire_WeightAboveTheWholeLimit_GoesAloneWhenTheLogIsEmpty()
    {
        var log = new LocalRateLog();
        var credential = Guid.NewGuid();

        Assert.Equal(TimeSpan.Zero, log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start, 500));
        Assert.Equal(TimeSpan.FromSeconds(3), log.TryAcquire(credential, Guid.NewGuid(), 100, Window, Start, 1));
    }
}
