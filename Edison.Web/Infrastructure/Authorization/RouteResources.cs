using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

/// Which route or handler values name a resource, and of which kind. A bare "id" takes its kind from the page folder.
internal static class RouteResources
{
    public static readonly IReadOnlyDictionary<string, string> NamedIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["projectId"] = ResourceKinds.Project,
        ["experimentId"] = ResourceKinds.Experiment,
        ["iterationId"] = ResourceKinds.Iteration,
        ["suggestionId"] = ResourceKinds.Suggestion,
        ["outputId"] = ResourceKinds.Output,
        ["modelRunId"] = ResourceKinds.ModelRun,
        ["versionId"] = ResourceKinds.PromptVersion,
        ["promptVersionId"] = ResourceKinds.PromptVersion,
        ["datasetId"] = ResourceKinds.Dataset,
        ["credentialId"] = ResourceKinds.Credential,
        ["generationRunId"] = ResourceKinds.GenerationRun,
        ["checkId"] = ResourceKinds.CiCheck,
    };

    public static readonly IReadOnlyDictionary<string, string> FolderKinds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Projects"] = ResourceKinds.Project,
        ["Experiments"] = ResourceKinds.Experiment,
        ["Iterations"] = ResourceKinds.Iteration,
        ["Reviews"] = ResourceKinds.Suggestion,
        ["Suggestions"] = ResourceKinds.Suggestion,
        ["Outputs"] = ResourceKinds.Output,
        ["Versions"] = ResourceKinds.PromptVersion,
        ["Datasets"] = ResourceKinds.Dataset,
        ["Credentials"] = ResourceKinds.Credential,
        ["Generation"] = ResourceKinds.GenerationRun,
    };

    /// The resources a request names: each (kind, id) from route values and bound handler arguments.
    public static IReadOnlyList<(string Kind, Guid Id)> Find(string? pagePath, IEnumerable<KeyValuePair<string, object?>> values)
    {
        var folder = pagePath?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var found = new List<(string, Guid)>();
        foreach (var (name, value) in values)
        {
            Guid? id = value switch
            {
                Guid g => g,
                string s when Guid.TryParse(s, out var g) => g,
                _ => null,
            };
            // An unbound Guid argument (no value posted) names nothing; the handler answers for it.
            if (id is null || id == Guid.Empty)
            {
                continue;
            }

            if (NamedIds.TryGetValue(name, out var kind))
            {
                found.Add((kind, id.Value));
            }
            else if (string.Equals(name, "id", StringComparison.OrdinalIgnoreCase) && folder is not null && FolderKinds.TryGetValue(folder, out kind))
            {
                found.Add((kind, id.Value));
            }
        }

        return found.Distinct().ToList();
    }
}
