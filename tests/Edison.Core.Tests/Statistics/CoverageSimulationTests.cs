using System.Globalization;
using Edison.Core.Statistics;
using Xunit.Abstractions;

namespace Edison.Core.Tests.Statistics;

/// <summary>
/// Seeded coverage simulation of the score interval: 2,000 datasets per cell, integer 1–5 scores from two fixed
/// distributions, n = 10, 30 and 100; every cell's coverage of the true mean must lie in 93.5–97.5 % (nominal 95 %).
/// </summary>
public sealed class CoverageSimulationTests(ITestOutputHelper output)
{
    private const int Datasets = 2000;

    public static TheoryData<string, double[], int> Cells()
    {
        var data = new TheoryData<string, double[], int>();
        foreach (var (name, p) in new[] { ("P1 (.05 .10 .20 .35 .30)", new[] { .05, .10, .20, .35, .30 }), ("P2 (.02 .03 .05 .30 .60)", new[] { .02, .03, .05, .30, .60 }) })
        {
            foreach (var n in new[] { 10, 30, 100 })
            {
                data.Add(name, p, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void ScoreInterval_SimulatedOneToFiveScores_CoverageWithinBand(string distribution, double[] p, int n)
    {
        var (coverage, width) = Simulate(p, n, values => ScoreInterval.Mean(values, 1, 5));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CoverageSimulation {distribution} n={n}: coverage {coverage:P1}, mean width {width:0.000} ({Datasets} datasets)"));
        Assert.InRange(coverage, 0.935, 0.975);
    }

    [Fact]
    public void Bootstrap_SkewedScoresAtTen_UndercoversWhichIsWhyScoresUseTheScoreInterval()
    {
        // The method the score interval replaced: the percentile bootstrap misses the band on top-heavy scores at n = 10.
        var (coverage, _) = Simulate([.02, .03, .05, .30, .60], 10, values => Bootstrap.Mean(values, resamples: 500));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Percentile bootstrap, P2, n=10: coverage {coverage:P1}"));
        Assert.True(coverage < 0.935, $"coverage {coverage}");
    }

    private static (double Coverage, double Width) Simulate(double[] p, int n, Func<IReadOnlyList<double>, ConfidenceInterval> interval)
    {
        var trueMean = p.Select((q, i) => q * (i + 1)).Sum();
        var cumulative = new double[p.Length];
        var running = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            running += p[i];
            cumulative[i] = running;
        }

        var random = new Random(20261208 + n);
        var covered = 0;
        var width = 0.0;
        var values = new double[n];
        for (var d = 0; d < Datasets; d++)
        {
            for (var i = 0; i < n; i++)
            {
                var u = random.NextDouble() * running;
                var k = 0;
                while (k < cumulative.Length - 1 && u >= cumulative[k])
                {
                    k++;
                }

                values[i] = k + 1;
            }

            var ci = interval(values);
            if (ci.Low <= trueMean && trueMean <= ci.High)
            {
                covered++;
            }

            width += ci.High - ci.Low;
        }

        return ((double)covered / Datasets, width / Datasets);
    }
}
