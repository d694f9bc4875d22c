using Edison.Core.Statistics;

namespace Edison.Core.Tests.Statistics;

public sealed class BradleyTerryStatisticsTests
{
    // A beats B 2 of 3, B beats C 2 of 3, A beats C 3 of 3: wins A 5/6, B 3/6, C 1/6.
    private static readonly BradleyTerryOutcome[] Transitive =
    [
        new("c1", "A", "B", 1), new("c1", "B", "C", 1), new("c1", "A", "C", 1),
        new("c2", "A", "B", 1), new("c2", "B", "C", 0), new("c2", "A", "C", 1),
        new("c3", "A", "B", 0), new("c3", "B", "C", 1), new("c3", "A", "C", 1),
    ];

    [Fact]
    public void FitStrengths_TwoItemsWithoutPrior_RecoversObservedOdds()
    {
        // A beats B 3 times of 4. The MLE has P(A beats B) = 3/4, i.e. odds 3 = e^(sA − sB); with mean 0, sA = ln 3 / 2 = −sB.
        BradleyTerryOutcome[] outcomes = [new("1", "A", "B", 1), new("2", "A", "B", 1), new("3", "B", "A", 0), new("4", "A", "B", 0)];

        var strengths = BradleyTerry.FitStrengths(outcomes, priorGames: 0);

        Assert.Equal(Math.Log(3) / 2, strengths["A"], precision: 8);
        Assert.Equal(-Math.Log(3) / 2, strengths["B"], precision: 8);
    }

    [Fact]
    public void FitStrengths_TiesWithoutPrior_CountAsHalfWins()
    {
        // One A win and two ties: A has 2 wins, B 1, so the odds are 2 and sA − sB = ln 2.
        BradleyTerryOutcome[] outcomes = [new("1", "A", "B", 1), new("2", "A", "B", 0.5), new("3", "B", "A", 0.5)];

        var strengths = BradleyTerry.FitStrengths(outcomes, priorGames: 0);

        Assert.Equal(Math.Log(2), strengths["A"] - strengths["B"], precision: 8);
    }

    [Fact]
    public void FitStrengths_TwoItemsWithDefaultPrior_SolvesThePenalisedScoreEquation()
    {
        // A beats B 3 of 4, plus one tied virtual game each against a pseudo-opponent of strength 1. By symmetry γB = 1/γA = 1/x,
        // and A's MM fixed point is 3 + 0.5 = 4·x²/(x² + 1) + x/(x + 1), solved by bisection: x = 1.607119507, ln x = 0.474443451
        // (shrunk from the unregularised ln 3 / 2 = 0.5493).
        BradleyTerryOutcome[] outcomes = [new("1", "A", "B", 1), new("2", "A", "B", 1), new("3", "A", "B", 1), new("4", "A", "B", 0)];

        var strengths = BradleyTerry.FitStrengths(outcomes);

        Assert.Equal(0.474443451, strengths["A"], tolerance: 1e-8);
        Assert.Equal(-0.474443451, strengths["B"], tolerance: 1e-8);
    }

    [Fact]
    public void FitStrengths_ThreeItemsWithoutPrior_ExpectedWinsEqualObservedWins()
    {
        // The MLE satisfies W_i = Σ_j n_ij · P(i beats j) for every item; here W = (5, 3, 1) with 3 games per pair.
        var s = BradleyTerry.FitStrengths(Transitive, priorGames: 0);
        static double P(double a, double b) => 1 / (1 + Math.Exp(b - a));

        Assert.Equal(5, (3 * P(s["A"], s["B"])) + (3 * P(s["A"], s["C"])), precision: 6);
        Assert.Equal(3, (3 * P(s["B"], s["A"])) + (3 * P(s["B"], s["C"])), precision: 6);
        Assert.Equal(1, (3 * P(s["C"], s["A"])) + (3 * P(s["C"], s["B"])), precision: 6);
    }

    [Fact]
    public void FitStrengths_BalancedCycle_AllZero()
    {
        BradleyTerryOutcome[] cycle = [new("1", "A", "B", 1), new("2", "B", "C", 1), new("3", "C", "A", 1)];

        var strengths = BradleyTerry.FitStrengths(cycle, priorGames: 0);

        Assert.All(strengths.Values, v => Assert.Equal(0, v, precision: 9));
    }

    [Fact]
    public void Fit_TransitiveThreeItems_OrdersStrongestFirstWithCounts()
    {
        var fit = BradleyTerry.Fit(Transitive, resamples: 500);

        Assert.Equal(["A", "B", "C"], fit.Select(s => s.Item));
        Assert.Equal([5.0, 3.0, 1.0], fit.Select(s => s.Wins));
        Assert.Equal([6, 6, 6], fit.Select(s => s.Comparisons));
        Assert.Equal(0, fit.Sum(s => s.Strength), precision: 12);
        Assert.All(fit, s => Assert.True(s.Low <= s.Strength && s.Strength <= s.High, $"{s.Item}: {s.Strength} outside [{s.Low}, {s.High}]"));
    }

    [Fact]
    public void Fit_UndefeatedItem_StaysFinite()
    {
        BradleyTerryOutcome[] outcomes = [new("1", "A", "B", 1), new("2", "A", "B", 1), new("3", "A", "B", 1)];

        var fit = BradleyTerry.Fit(outcomes, resamples: 200);

        Assert.All(fit, s => Assert.True(double.IsFinite(s.Strength) && double.IsFinite(s.Low) && double.IsFinite(s.High)));
        Assert.True(fit[0].Strength > 0);
    }

    [Fact]
    public void Fit_EveryCaseSplitsEvenly_IntervalIsZeroBecauseCasesMoveTogether()
    {
        // Each case holds one A win and one B win, so every case resample is balanced. Resampling single outcomes would not be.
        var outcomes = Enumerable.Range(0, 10)
            .SelectMany(i => new[] { new BradleyTerryOutcome($"c{i}", "A", "B", 1), new BradleyTerryOutcome($"c{i}", "A", "B", 0) })
            .ToArray();

        var fit = BradleyTerry.Fit(outcomes, resamples: 300);

        Assert.All(fit, s =>
        {
            Assert.Equal(0, s.Strength, precision: 9);
            Assert.Equal(0, s.Low, precision: 9);
            Assert.Equal(0, s.High, precision: 9);
        });
    }

    [Fact]
    public void Fit_SameSeed_IdenticalStrengthsAndIntervals()
    {
        Assert.Equal(BradleyTerry.Fit(Transitive, resamples: 300, seed: 6), BradleyTerry.Fit(Transitive, resamples: 300, seed: 6));
    }

    [Fact]
    public void Fit_NoOutcomes_Empty() => Assert.Empty(BradleyTerry.Fit([]));

    [Fact]
    public void Fit_ItemComparedWithItself_Throws() =>
        Assert.Throws<ArgumentException>(() => BradleyTerry.Fit([new BradleyTerryOutcome("1", "A", "A", 1)]));

    [Fact]
    public void Fit_ScoreOutsideUnitInterval_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BradleyTerry.Fit([new BradleyTerryOutcome("1", "A", "B", 2)]));
}
