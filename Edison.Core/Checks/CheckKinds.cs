namespace Edison.Core.Checks;

/// <summary>The kinds of deterministic check a <see cref="CheckSpec"/> can name.</summary>
public static class CheckKinds
{
    /// <summary>The output contains <see cref="CheckSpec.Value"/>, ignoring case.</summary>
    public const string Contains = "contains";

    /// <summary>The output does not contain <see cref="CheckSpec.Value"/>, ignoring case.</summary>
    public const string NotContains = "not_contains";

    /// <summary>The regular expression in <see cref="CheckSpec.Value"/> matches somewhere in the output.</summary>
    public const string Regex = "regex";

    /// <summary>The output is JSON (a surrounding ```json fence is allowed).</summary>
    public const string ValidJson = "valid_json";

    /// <summary>The output is JSON that the JSON Schema in <see cref="CheckSpec.Value"/> accepts.</summary>
    public const string JsonSchema = "json_schema";

    /// <summary>The output's length in characters lies within <see cref="CheckSpec.Min"/>–<see cref="CheckSpec.Max"/>.</summary>
    public const string LengthBetween = "length_between";

    /// <summary>The call took at most <see cref="CheckSpec.Max"/> milliseconds.</summary>
    public const string MaxLatencyMs = "max_latency_ms";

    /// <summary>The call cost at most <see cref="CheckSpec.Max"/> US dollars.</summary>
    public const string MaxCostUsd = "max_cost_usd";

    /// <summary>Every kind, in the order a person would read them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Contains, NotContains, Regex, ValidJson, JsonSchema, LengthBetween, MaxLatencyMs, MaxCostUsd];

    /// <summary>The canonical spelling of <paramref name="kind"/> (case and surrounding space ignored), or null if it is not a kind.</summary>
    public static string? Normalize(string? kind)
    {
        var trimmed = kind?.Trim();
        return All.FirstOrDefault(k => string.Equals(k, trimmed, StringComparison.OrdinalIgnoreCase));
    }
}
