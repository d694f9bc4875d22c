using System.Globalization;
using System.Text;
using Edison.Core.Runs.Aggregation;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// The iteration summary's numeric sentences, composed by Edison from the computed statistics so no model can alter a
/// figure; a model may only add a few sentences of commentary without digits (see <see cref="AcceptCommentary"/>).
/// </summary>
public static partial class SummaryText
{
    /// <summary>The most sentences of commentary kept.</summary>
    public const int MaxCommentarySentences = 3;

    /// <summary>Composes the numeric sentences: composite, change against the parent, criteria, models, flags, failures and cost.</summary>
    public static string Numbers(IterationMetrics metrics, VersionComparison? comparison, int version, decimal costUsd)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var text = new StringBuilder();
        Line(text, metrics.MeanScore is { } mean
            ? Invariant($"v{version} scored a composite of {mean:0.00} (95% CI {Num(metrics.CiLow)} to {Num(metrics.CiHigh)}) over {metrics.N} case(s).")
            : Invariant($"v{version} has no composite: no case was scored."));
        if (comparison is not null)
        {
            var verdict = comparison.SignificantImprovement ? "a significant improvement"
                : comparison.SignificantRegression ? "a significant regression"
                : "not significant";
            Line(text, Invariant($"Against v{comparison.ParentVersion} on the {comparison.Split} cases (n = {comparison.N}): {comparison.MeanDifference:+0.00;-0.00;0.00} (95% CI {comparison.CiLow:0.00} to {comparison.CiHigh:0.00}, p = {comparison.PValue:0.###}), {verdict}."));
        }

        var criteria = metrics.PerCriterion.Where(c => c.MeanScore is not null).OrderByDescending(c => c.MeanScore).ToList();
        if (criteria.Count == 1)
        {
            Line(text, Invariant($"{criteria[0].Criterion} averaged {criteria[0].MeanScore:0.00}."));
        }
        else if (criteria.Count > 1)
        {
            Line(text, Invariant($"Best criterion: {criteria[0].Criterion} ({criteria[0].MeanScore:0.00}); worst: {criteria[^1].Criterion} ({criteria[^1].MeanScore:0.00})."));
        }

        if (metrics.PerModel.Count > 0)
        {
            Line(text, "Per model: " + string.Join("; ", metrics.PerModel.Select(m => m.MeanScore is { } s
                ? Invariant($"{m.Model} {s:0.00} (95% CI {Num(m.CiLow)} to {Num(m.CiHigh)}, n = {m.N})")
                : Invariant($"{m.Model} not scored"))) + ".");
        }

        if (metrics.FlagRate is { } flags)
        {
            Line(text, Invariant($"Flagged outputs: {flags.Count} of {flags.N} ({flags.Rate:0.0%}, 95% CI {flags.Low:0.0%} to {flags.High:0.0%})."));
        }

        Line(text, Invariant($"Failed outputs: {metrics.FailedOutputs}; failed verdicts: {metrics.FailedJudgments}; outputs with too few valid verdicts: {metrics.InsufficientOutputs}."));
        Line(text, Invariant($"Cost: ${costUsd:0.0000}."));
        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The model's commentary if it may stand beside the numbers: non-empty and free of digits (a figure written by a model
    /// could contradict Edison's). Returns the trimmed commentary, cut to <see cref="MaxCommentarySentences"/> sentences, or
    /// null with the reason.
    /// </summary>
    public static (string? Commentary, string? Problem) AcceptCommentary(string? text)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return (null, "the model wrote no commentary");
        }

        if (trimmed.Any(char.IsDigit))
        {
            return (null, "the model's commentary contained figures, which only Edison writes");
        }

        var sentences = SentenceEnd().Split(trimmed).Where(s => s.Trim().Length > 0).Take(MaxCommentarySentences);
        return (string.Join(" ", sentences.Select(s => s.Trim())), null);
    }

    /// <summary>The stored summary: the numbers, then the commentary or why there is none.</summary>
    public static string Combine(string numbers, string? commentary, string? note) =>
        commentary is not null ? $"{numbers}\n\n{commentary}"
        : note is not null ? $"{numbers}\n\n(No commentary: {note}.)"
        : numbers;

    private static void Line(StringBuilder text, string line) => text.AppendLine(line);

    private static string Num(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial System.Text.RegularExpressions.Regex SentenceEnd();
}
