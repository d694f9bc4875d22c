using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edison.Core.ClosedLoop;

/// <summary>How the loop's figures are stored: camelCase, and NaN or infinity kept as such rather than refused.</summary>
internal static class LoopJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
