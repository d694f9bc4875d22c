using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class MinimumDetectableEffectStatisticsTests
{
    [Fact]
    public void Paired_SdOneSixteenCases_IsZSumOverFour()
    {
        // z(0.975) = 1.959963985, z(0.8) = 0.841621234; (1.959963985 + 0.841621234) · 1 / √16 = 0.700396305.
        Assert.Equal(0.700396305, MinimumDetectableEffect.Paired(1.0, 16), precision: 8);
    }

    [Fact]
    public void Paired_StricterAlphaAndHigherPower_IsLarger()
    {
        // z(0.995) = 2.575829304, z(0.9) = 1.281551566; (2.575829304 + 1.281551566) · 2 / √25 = 1.542952348.
        Assert.Equal(1.542952348, MinimumDetectableEffect.Paired(2.0, 25, alpha: 0.01, power: 0.9), precision: 8);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Paired_FewerThanTwoCases_IsInfinite(int n) =>
        Assert.Equal(double.PositiveInfinity, MinimumDetectableEffect.Paired(1.0, n));

    [Fact]
    public void Paired_NegativeSd_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MinimumDetectableEffect.Paired(-1, 10));

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.025, -1.959963985)]
    [InlineData(0.001, -3.090232306)]
    [InlineData(0.9999, 3.719016485)]
    public void NormalQuantile_KnownProbabilities_MatchTables(double p, double z) =>
        Assert.Equal(z, NormalQuantile.Of(p), precision: 7);
}
