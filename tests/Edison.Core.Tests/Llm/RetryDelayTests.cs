using Edison.Core.Llm;

namespace Edison.Core.Tests.Llm;

public sealed class RetryDelayTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 1000, 2000)]
    [InlineData(3, 2000, 4000)]
    [InlineData(4, 4000, 8000)]
    public void Next_NoRetryAfter_HalfToFullOfDoublingCeiling(int attempt, double minMs, double maxMs)
    {
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var delay = RetryDelays.Next(attempt, Base, null, random);

            Assert.InRange(delay.TotalMilliseconds, minMs, maxMs);
        }
    }

    [Fact]
    public void Next_SuccessiveAttempts_MeanDelayDoubles()
    {
        var random = new Random(3);
        var means = Enumerable.Range(1, 5)
            .Select(attempt => Enumerable.Range(0, 500).Average(_ => RetryDelays.Next(attempt, Base, null, random).TotalMilliseconds))
            .ToList();

        for (var i = 1; i < means.Count; i++)
        {
            Assert.InRange(means[i] / means[i - 1], 1.8, 2.2);
        }
    }

    [Fact]
    public void Next_Jitter_NotAllEqual()
    {
        var random = new Random(5);

        var delays = Enumerable.Range(0, 20).Select(_ => RetryDelays.Next(2, Base, null, random)).Distinct().Count();

        Assert.True(delays > 10, $"Only {delays} distinct delays in 20 draws.");
    }

    [Fact]
    public void Next_RetryAfter_UsedExactly()
    {
        var delay = RetryDelays.Next(1, Base, TimeSpan.FromSeconds(9), new Random(1));

        Assert.Equal(TimeSpan.FromSeconds(9), delay);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Next_RetryAfterNotPositive_FallsBackToBackoff(int seconds)
    {
        var delay = RetryDelays.Next(3, Base, TimeSpan.FromSeconds(seconds), new Random(1));

        Assert.InRange(delay.TotalMilliseconds, 2000, 4000);
    }
}
