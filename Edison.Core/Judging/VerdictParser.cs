using System.Text.Json;
using Edison.Core.Experiments;

namespace Edison.Core.Judging;

/// <summary>Reads and checks a judge's JSON; a bad verdict becomes a stored, visible failure rather than an exception.</summary>
public static class VerdictParser
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses the verdict and checks every criterion is scored once, on its scale.</summary>
    public static (PointwiseVerdict? Verdict, string? Error) Parse(string text, Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        PointwiseVerdict? verdict;
        try
        {
            verdict = JsonSerializer.Deserialize<PointwiseVerdict>(StripCodeFence(text), Json);
        }
        catch (JsonException ex)
        {
            return (null, $"The judge's answer was not valid JSON ({ex.Message.Split(" Path:")[0]}).");
        }

        if (verdict?.Scores is null)
        {
            return (null, "The judge's answer had no scores.");
        }

        foreach (var criterion in rubric.Criteria)
        {
            var score = verdict.Scores.FirstOrDefault(s => string.Equals(s.Criterion?.Trim(), criterion.Name, StringComparison.OrdinalIgnoreCase));
            if (score is null)
            {
                return (null, $"The judge did not score the criterion '{criterion.Name}'.");
            }

            if (score.Score < criterion.ScaleMin || score.Score > criterion.ScaleMax)
            {
                return (null, $"The judge scored '{criterion.Name}' {score.Score}, outside its {criterion.ScaleMin}–{criterion.ScaleMax} scale.");
            }
        }

        return (verdict with
        {
            Reasoning = verdict.Reasoning ?? "",
            Suggestions = verdict.Suggestions ?? [],
            SafetyFlags = verdict.SafetyFlags ?? [],
        }, null);
    }

    /// <summary>The rubric-weighted mean of the criterion scores, on the rubric's scale.</summary>
    public static double Composite(PointwiseVerdict verdict, Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(rubric);
        var totalWeight = rubric.Criteria.Sum(c => c.Weight);
        return rubric.Criteria.Sum(c => c.Weight * verdict.Scores.First(s =>
            string.Equals(s.Criterion?.Trim(), c.Name, StringComparison.OrdinalIgnoreCase)).Score) / totalWeight;
    }

    // Models without native structured output often wrap JSON in a markdown fence.
    private static string StripCodeFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstNewline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var lastFence = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline > 0 && lastFence > firstNewline ? trimmed[(firstNewline + 1)..lastFence] : trimmed;
    }
}
