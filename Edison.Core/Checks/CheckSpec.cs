using System.Globalization;

namespace Edison.Core.Checks;

/// <summary>
/// One deterministic check run on every model output. <see cref="Kind"/> is one of <see cref="CheckKinds"/>;
/// which of <see cref="Value"/>, <see cref="Min"/> and <see cref="Max"/> it reads depends on the kind.
/// </summary>
public sealed record CheckSpec(string Kind, string? Value = null, double? Min = null, double? Max = null, string? Name = null)
{
    /// <summary><see cref="Name"/> if one was given, else a description such as <c>contains "refund"</c>.</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? DefaultName() : Name.Trim();

    private string DefaultName() => CheckKinds.Normalize(Kind) switch
    {
        CheckKinds.Contains => $"contains \"{Value}\"",
        CheckKinds.NotContains => $"does not contain \"{Value}\"",
        CheckKinds.Regex => $"matches /{Value}/",
        CheckKinds.ValidJson => "valid JSON",
        CheckKinds.JsonSchema => "matches the JSON schema",
        CheckKinds.LengthBetween => (Min, Max) switch
        {
            (not null, not null) => $"length {Number(Min.Value)}–{Number(Max.Value)} characters",
            (not null, null) => $"length at least {Number(Min.Value)} characters",
            _ => $"length at most {Number(Max ?? 0)} characters",
        },
        CheckKinds.MaxLatencyMs => $"latency at most {Number(Max ?? 0)} ms",
        CheckKinds.MaxCostUsd => $"cost at most ${Number(Max ?? 0)}",
        _ => string.IsNullOrWhiteSpace(Kind) ? "check" : Kind.Trim(),
    };

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
