using System.Globalization;
using Edison.Core.ReadModels;

namespace Edison.Web.Pages.Experiments;

/// <summary>The coordinates of the composite-per-iteration chart, drawn as inline SVG by the page (no script, no style attribute).</summary>
public sealed class ScoreChart
{
    public const double Width = 640;
    public const double Height = 240;
    private const double Left = 48;
    private const double Right = 16;
    private const double Top = 16;
    private const double Bottom = 36;

    private ScoreChart(double min, double max, IReadOnlyList<Point> points)
    {
        Min = min;
        Max = max;
        Points = points;
    }

    public double Min { get; }

    public double Max { get; }

    public IReadOnlyList<Point> Points { get; }

    public double PlotLeft => Left;

    public double PlotRight => Width - Right;

    public double PlotBottom => Height - Bottom;

    public IEnumerable<(double Value, double Y)> Ticks =>
        Enumerable.Range(0, (int)Math.Round(Max - Min) + 1).Select(k => (Min + k, Y(Min + k)));

    public string Polyline => string.Join(' ', Points.Select(p => $"{F(p.X)},{F(p.Y)}"));

    public static ScoreChart? Create(ExperimentOverview overview)
    {
        ArgumentNullException.ThrowIfNull(overview);
        var scored = overview.Iterations.Where(i => i.Metrics?.MeanScore is { } m && double.IsFinite(m)).ToList();
        if (scored.Count == 0)
        {
            return null;
        }

        var min = overview.Rubric.Criteria.Count == 0 ? 1 : overview.Rubric.Criteria.Min(c => c.ScaleMin);
        var max = overview.Rubric.Criteria.Count == 0 ? 5 : overview.Rubric.Criteria.Max(c => c.ScaleMax);
        var chart = new ScoreChart(min, Math.Max(max, min + 1), []);
        var step = scored.Count == 1 ? 0 : (chart.PlotRight - Left - 40) / (scored.Count - 1);
        var points = scored.Select((i, k) =>
        {
            var m = i.Metrics!;
            var x = scored.Count == 1 ? (Left + chart.PlotRight) / 2 : Left + 20 + k * step;
            var low = m.CiLow is { } l && double.IsFinite(l) ? l : m.MeanScore!.Value;
            var high = m.CiHigh is { } h && double.IsFinite(h) ? h : m.MeanScore!.Value;
            return new Point(i.Number, i.Version, x, chart.Y(m.MeanScore!.Value), chart.Y(low), chart.Y(high), m.MeanScore.Value, low, high);
        }).ToList();
        return new ScoreChart(chart.Min, chart.Max, points);
    }

    public static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private double Y(double value) => Top + (Max - Math.Clamp(value, Min, Max)) / (Max - Min) * (Height - Top - Bottom);

    public sealed record Point(int Number, int Version, double X, double Y, double YLow, double YHigh, double Mean, double Low, double High);
}
