using System.Text.Json;
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
            if (mediaType is "application/yaml" or "text/yaml" or "application/x-yaml")
            {
                using var reader = new StreamReader(http.Request.Body);
                var yaml = await reader.ReadToEndAsync(cancellationToken);
                var node = YamlJson.Parse(yaml);
                return node is null ? (null, "The YAML document is empty.") : Checked(node.Deserialize<ExperimentDefinition>(options));
            }

            return Checked(await JsonSerializer.DeserializeAsync<ExperimentDefinition>(http.Request.Body, options, cancellationToken));
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

    private static (ExperimentDefinition?, string?) Checked(ExperimentDefinition? definition) =>
        definition is null ? (null, "The body holds no definition.") : (definition, null);
}
