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
}
