using System.Text;
using System.Text.Json;
using Edison.Core.Security;
using Edison.Core.Experiments;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;

namespace Edison.Web.Api;

/// Reads an experiment definition from a JSON or YAML request body with the app's JSON options, so both bind the same way.
internal static class ExperimentDefinitionBody
{
    public static async Task<(ExperimentDefinition? Definition, string? Problem)> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        try
        {
            // The body is measured while it is read (InputLimits): a larger one stops at the limit, not in memory.
            var body = await InputLimits.ReadBoundedAsync(http.Request.Body, InputLimits.MaxDefinitionBytes, "The definition", cancellationToken);
            if (mediaType is "application/yaml" or "text/yaml" or "application/x-yaml")
            {
                var node = YamlJson.Parse(Encoding.UTF8.GetString(body));
                return node is null ? (null, "The YAML document is empty.") : Checked(node.Deserialize<ExperimentDefinition>(Bounded(options)));
            }

            return Checked(JsonSerializer.Deserialize<ExperimentDefinition>(body, Bounded(options)));
        }
        catch (InputLimitException ex)
        {
            return (null, ex.Message);
        }
        catch (JsonException ex)
        {
            return (null, $"The definition does not match the schema: {ex.Message}");
        }
        catch (YamlException ex)
        {
            return (null, ex.Start.Line > 0
                ? $"The YAML does not parse at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"
                : $"The YAML does not parse: {ex.Message}");
        }
    }

    // The app's options with the depth limit of the policy (System.Text.Json's own default is the same 64; stated, not assumed), and
    // null refused where the definition's types say a value is required, so a null is a 400 in words, not a crash in validation.
    private static JsonSerializerOptions Bounded(JsonSerializerOptions options) =>
        BoundedOptions.GetValue(options, o => new JsonSerializerOptions(o) { MaxDepth = InputLimits.MaxDepth, RespectNullableAnnotations = true });

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> BoundedOptions = new();

    private static (ExperimentDefinition?, string?) Checked(ExperimentDefinition? definition) =>
        definition is null ? (null, "The body holds no definition.")
        : MissingValues.FirstIn(definition) is { } missing ? (null, $"The definition does not match the schema: '{missing}' is required.")
        : (definition, null);
}
