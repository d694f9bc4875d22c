using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Edison.Core.Checks;

/// <summary>
/// Runs deterministic checks on one model output. Pure and free: no I/O, no model calls. A check that cannot be
/// run (an unknown kind, a bad pattern, a regex that times out) comes back as a failed result that says why.
/// </summary>
public static class CheckRunner
{
    /// <summary>How long a user's regular expression may run on one output before it counts as failed.</summary>
    internal static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private const string FenceNote = " (inside a ```json fence, which was stripped)";

    /// <summary>One result per spec, in the same order.</summary>
    public static IReadOnlyList<CheckResult> Run(IReadOnlyList<CheckSpec> specs, OutputFacts facts)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(facts);
        return specs.Select(spec => RunOne(spec, facts)).ToList();
    }

    private static CheckResult RunOne(CheckSpec spec, OutputFacts facts)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kind = CheckKinds.Normalize(spec.Kind);
        var name = spec.DisplayName;
        if (kind is null)
        {
            return new CheckResult(name, spec.Kind, false, $"Unknown check kind \"{spec.Kind}\".");
        }

        if (CheckSpecValidation.Problem(kind, spec) is { } problem)
        {
            return new CheckResult(name, kind, false, $"The check is set up wrongly: {problem}.");
        }

        var text = facts.Text ?? "";
        var (passed, detail) = kind switch
        {
            CheckKinds.Contains => Contains(text, spec.Value!),
            CheckKinds.NotContains => Invert(Contains(text, spec.Value!)),
            CheckKinds.Regex => Matches(text, spec.Value!),
            CheckKinds.ValidJson => ValidJson(text),
            CheckKinds.JsonSchema => MatchesSchema(text, spec.Value!),
            CheckKinds.LengthBetween => LengthBetween(text, spec.Min, spec.Max),
            CheckKinds.MaxLatencyMs => AtMost(facts.LatencyMs, ToDecimal(spec.Max!.Value), "Latency", v => Invariant($"{v:0.###} ms")),
            CheckKinds.MaxCostUsd => AtMost(facts.CostUsd, ToDecimal(spec.Max!.Value), "Cost", v => Invariant($"${v:0.######}")),
            _ => throw new InvalidOperationException($"No runner for check kind {kind}."),
        };
        return new CheckResult(name, kind, passed, detail);
    }

    private static (bool, string) Contains(string text, string value)
    {
        var at = text.IndexOf(value, StringComparison.OrdinalIgnoreCase);
        return at >= 0
            ? (true, $"Found \"{value}\" at character {at + 1}.")
            : (false, $"\"{value}\" does not appear in the output.");
    }

    private static (bool, string) Invert((bool Passed, string Detail) result) => (!result.Passed, result.Detail);

    private static (bool, string) Matches(string text, string pattern)
    {
        try
        {
            var match = new Regex(pattern, RegexOptions.None, RegexTimeout).Match(text);
            return match.Success
                ? (true, $"Matched \"{Shorten(match.Value)}\" at character {match.Index + 1}.")
                : (false, "The pattern does not match the output.");
        }
        catch (RegexMatchTimeoutException)
        {
            return (false, $"The pattern ran longer than {RegexTimeout.TotalSeconds:0} s on this output and was stopped; rewrite it to avoid nested repetition.");
        }
    }

    private static (bool, string) ValidJson(string text)
    {
        var (json, fenced) = JsonFence.Strip(text);
        try
        {
            using var _ = JsonDocument.Parse(json);
            return (true, $"Valid JSON{(fenced ? FenceNote : "")}.");
        }
        catch (JsonException ex)
        {
            return (false, $"Not valid JSON{(fenced ? FenceNote : "")}: {JsonErrors.Describe(ex)}.");
        }
    }

    private static (bool, string) MatchesSchema(string text, string schemaJson)
    {
        var schema = SchemaText.Build(schemaJson).Schema!;
        var (json, fenced) = JsonFence.Strip(text);
        var note = fenced ? FenceNote : "";
        try
        {
            using var document = JsonDocument.Parse(json);
            var violations = SchemaText.Violations(schema, document.RootElement);
            return violations is null
                ? (true, $"Matches the schema{note}.")
                : (false, $"Does not match the schema{note}: {violations}.");
        }
        catch (JsonException ex)
        {
            return (false, $"Not valid JSON{note}, so the schema could not be applied: {JsonErrors.Describe(ex)}.");
        }
        catch (Exception ex) when (ex is RefResolutionException or JsonSchemaException)
        {
            return (false, $"The schema could not be applied: {SchemaText.Sentence(ex.Message)}.");
        }
        catch (RegexMatchTimeoutException ex)
        {
            return (false, $"A pattern in the schema (/{ex.Pattern}/) ran longer than {RegexTimeout.TotalSeconds:0} s on this output and was stopped; rewrite it to avoid nested repetition.");
        }
    }

    // Characters as a person counts them: an emoji or an accented letter built from two code points is one.
    private static (bool, string) LengthBetween(string text, double? min, double? max)
    {
        var length = new StringInfo(text).LengthInTextElements;
        var allowed = (min, max) switch
        {
            (not null, not null) => Invariant($"{min:0.###}–{max:0.###}"),
            (not null, null) => Invariant($"at least {min:0.###}"),
            _ => Invariant($"at most {max:0.###}"),
        };
        var passed = (min is null || length >= min) && (max is null || length <= max);
        return (passed, Invariant($"{length} characters; allowed {allowed}."));
    }

    private static (bool, string) AtMost(decimal actual, decimal limit, string what, Func<decimal, string> format) =>
        actual <= limit
            ? (true, $"{what} {format(actual)} is within the limit of {format(limit)}.")
            : (false, $"{what} {format(actual)} is over the limit of {format(limit)}.");

    private static decimal ToDecimal(double value) => value >= (double)decimal.MaxValue ? decimal.MaxValue : (decimal)value;

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
