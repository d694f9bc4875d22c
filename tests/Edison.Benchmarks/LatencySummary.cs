using System.Globalization;
using Edison.Core.Statistics;

namespace Edison.Benchmarks;

/// One scenario's pickup latencies, summarised with the same percentile definition as the rest of Edison.
internal sealed record LatencySummary(string Scenario, IReadOnlyList<double> Milliseconds, string Note)
{
    public const double TargetMs = 1000;

    public double P50 => Percentile(0.50);

    public double P95 => Percentile(0.95);

    public double Max => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Max();

    public bool MeetsTarget => Milliseconds.Count > 0 && P95 < TargetMs;

    public static void PrintTable(IEnumerable<LatencySummary> summaries)
    {
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(culture, $"{"scenario",-8} {"n",3} {"p50 ms",8} {"p95 ms",8} {"max ms",8}  p95 < {TargetMs:0} ms"));
        foreach (var s in summaries)
        {
            Console.WriteLine(string.Create(culture,
                $"{s.Scenario,-8} {s.Milliseconds.Count,3} {s.P50,8:0} {s.P95,8:0} {s.Max,8:0}  {(s.MeetsTarget ? "yes" : "NO")}"));
        }

        foreach (var s in summaries.Where(s => s.Note.Length > 0))
        {
            Console.WriteLine($"  {s.Scenario}: {s.Note}");
        }
    }

    private double Percentile(double p) => Milliseconds.Count == 0 ? double.NaN : Bootstrap.Percentile([.. Milliseconds.Order()], p);
}
