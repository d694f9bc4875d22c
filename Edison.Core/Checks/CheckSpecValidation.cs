using System.Globalization;
using System.Text.RegularExpressions;

namespace Edison.Core.Checks;

/// <summary>Finds what is wrong with a list of checks before an experiment is saved, in words for a person.</summary>
public static class CheckSpecValidation
{
    /// <summary>One message per problem, naming the check by its 1-based position and kind; empty when all is well.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<CheckSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var errors = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (spec is null)
            {
                errors.Add($"Check {i + 1}: it is empty.");
                continue;
            }

            var kind = CheckKinds.Normalize(spec.Kind);
            var label = $"Check {i + 1} ({(string.IsNullOrWhiteSpace(spec.Kind) ? "no kind" : spec.Kind.Trim())})";
            var problem = kind is null
                ? $"unknown kind; use one of {string.Join(", ", CheckKinds.All)}"
                : Problem(kind, spec);
            if (problem is not null)
            {
                errors.Add($"{label}: {problem}.");
            }
        }

        return errors;
    }

    /// <summary>What is wrong with a spec of a known kind, or null.</summary>
    internal static string? Problem(string kind, CheckSpec spec) => kind switch
    {
        CheckKinds.Contains or CheckKinds.NotContains =>
            string.IsNullOrEmpty(spec.Value) ? "give the text to look for" : null,
        CheckKinds.Regex => RegexProblem(spec.Value),
        CheckKinds.ValidJson => null,
        CheckKinds.JsonSchema => SchemaText.Build(spec.Value).Error,
        CheckKinds.LengthBetween => LengthProblem(spec.Min, spec.Max),
        CheckKinds.MaxLatencyMs => LimitProblem(spec.Max, "milliseconds"),
        CheckKinds.MaxCostUsd => LimitProblem(spec.Max, "US dollars"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a check kind."),
    };

    private static string? RegexProblem(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return "give a pattern";
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, CheckRunner.RegexTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"the pattern does not compile: {ex.Message.TrimEnd('.')}";
        }
    }

    private static string? LengthProblem(double? min, double? max)
    {
        if (min is null && max is null)
        {
            return "give a minimum, a maximum or both";
        }

        return NumberProblem(min, "minimum") ?? NumberProblem(max, "maximum")
            ?? (min > max ? $"the minimum ({Format(min.Value)}) is greater than the maximum ({Format(max!.Value)})" : null);
    }

    private static string? LimitProblem(double? max, string unit) =>
        max is null ? $"give the maximum in {unit}" : NumberProblem(max, "maximum");

    private static string? NumberProblem(double? value, string what) => value switch
    {
        null => null,
        double v when !double.IsFinite(v) => $"the {what} is not a number",
        < 0 => $"the {what} ({Format(value.Value)}) is negative",
        _ => null,
    };

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
