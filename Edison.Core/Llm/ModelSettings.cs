using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm;

/// <summary>
/// A model config's generation settings, read from <c>model_configs.parameters</c>; each adapter applies the ones its
/// provider understands and leaves values the caller set on <see cref="ChatOptions"/> alone.
/// </summary>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="MaxOutputTokens">Cap on generated tokens (Anthropic needs one: the adapter defaults it).</param>
/// <param name="ReasoningEffort">OpenAI-family reasoning effort: none, low, medium, high or extra-high.</param>
/// <param name="ThinkingBudgetTokens">Anthropic extended-thinking budget (at least 1024 tokens).</param>
public sealed record ModelSettings(float? Temperature, int? MaxOutputTokens, ReasoningEffort? ReasoningEffort, int? ThinkingBudgetTokens)
{
    /// <summary>No settings: every provider default applies.</summary>
    public static ModelSettings Default { get; } = new(null, null, null, null);

    /// <summary>Reads the jsonb object; unknown keys are ignored, a known key with an unusable value is an error.</summary>
    /// <exception cref="FormatException">A known key holds a value of the wrong type or out of range.</exception>
    public static ModelSettings Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Default;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Model parameters must be a JSON object.");
        }

        var settings = Default;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value;
            settings = property.Name switch
            {
                "temperature" => settings with { Temperature = Number(property.Name, value, 0, 2) },
                "maxOutputTokens" => settings with { MaxOutputTokens = Integer(property.Name, value, 1) },
                "reasoningEffort" => settings with { ReasoningEffort = Effort(value) },
                "thinkingBudgetTokens" => settings with { ThinkingBudgetTokens = Integer(property.Name, value, 1024) },
                _ => settings,
            };
        }

        return settings;
    }

    private static float? Number(string name, JsonElement value, double min, double max) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.GetDouble() is var d && d >= min && d <= max => (float)d,
        _ => throw new FormatException($"'{name}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}."),
    };

    private static int? Integer(string name, JsonElement value, int min) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt32(out var i) && i >= min => i,
        _ => throw new FormatException($"'{name}' must be a whole number of at least {min.ToString(CultureInfo.InvariantCulture)}."),
    };

    private static ReasoningEffort? Effort(JsonElement value) => value.ValueKind == JsonValueKind.Null
        ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()?.ToUpperInvariant() switch
        {
            "NONE" => Microsoft.Extensions.AI.ReasoningEffort.None,
            "LOW" => Microsoft.Extensions.AI.ReasoningEffort.Low,
            "MEDIUM" => Microsoft.Extensions.AI.ReasoningEffort.Medium,
            "HIGH" => Microsoft.Extensions.AI.ReasoningEffort.High,
            "EXTRA-HIGH" or "XHIGH" => Microsoft.Extensions.AI.ReasoningEffort.ExtraHigh,
            _ => throw new FormatException("'reasoningEffort' must be none, low, medium, high or extra-high."),
        }
        : throw new FormatException("'reasoningEffort' must be none, low, medium, high or extra-high.");
}
