using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edison.Core.Runs.Aggregation;

/// How an iteration's metrics and comparison are stored as JSON: web casing, and NaN and infinities kept as named literals
/// (a statistic of too few cases is NaN). The loop's JSON (<c>LoopJson</c>) is the same options.
internal static class MetricsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
