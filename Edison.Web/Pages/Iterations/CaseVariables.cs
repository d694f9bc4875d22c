using System.Text.Json;

namespace Edison.Web.Pages.Iterations;

/// A case's input variables as name/value pairs for display: strings as written, anything else as compact JSON.
public static class CaseVariables
{
    public static IEnumerable<(string Name, string Value)> Read(string inputJson)
    {
        using var document = JsonDocument.Parse(inputJson);
        return document.RootElement.EnumerateObject()
            .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText()))
            .ToList();
    }
}
