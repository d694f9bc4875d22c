using System.Text.Json;
using Edison.Core.Runs.Aggregation;

namespace Edison.Core.ClosedLoop;

/// <summary>How the loop's figures are stored: camelCase, and NaN or infinity kept as such rather than refused (the metrics' options).</summary>
internal static class LoopJson
{
    public static readonly JsonSerializerOptions Options = MetricsJson.Options;
}
