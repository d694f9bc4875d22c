using System.Text.RegularExpressions;

namespace Edison.Core.Tests.Architecture;

/// Dependencies between Edison.Core's folders run one way (docs/decisions/ADR-006): no two folders reference each other's
/// types. A file's references are its Edison.Core usings and its qualified names (Edison.Core.X.Type or, inside Core, X.Type);
/// the composition root (CoreRegistration.cs, at the top of Core) may reference every folder.
public sealed partial class NoTwoWayFolderReferences
{
    [Fact]
    public void References_KnownOneWayEdges_AreSeen()
    {
        // Guards the rule below against passing because the scan finds nothing.
        var graph = Graph();

        Assert.True(graph.Count >= 15, $"Only {graph.Count} folders seen.");
        Assert.Contains("Runs", graph["ClosedLoop"].Keys);
        Assert.Contains("Judging", graph["Runs"].Keys);
        Assert.Contains("Datasets", graph["Experiments"].Keys);
        Assert.Contains("Security", graph["Datasets"].Keys);
    }

    [Theory]
    [InlineData("using Edison.Core.Runs;", "Runs")]
    [InlineData("var x = Edison.Core.Prompts.PromptTemplate.Parse(t);", "Prompts")]
    [InlineData("sp.GetRequiredService<Runs.SettledIterationCache>()", "Runs")]
    [InlineData("using static Edison.Core.Statistics.Bootstrap;", "Statistics")]
    public void References_OneLine_FindsTheFolder(string line, string folder) =>
        Assert.Contains(folder, References(line, ["Runs", "Prompts", "Statistics", "Llm"]));

    [Fact]
    public void Folders_EveryPair_ReferencesOneWayAtMost()
    {
        var graph = Graph();
        var twoWay = graph.SelectMany(a => a.Value.Keys.Where(b => string.CompareOrdinal(a.Key, b) < 0
                && graph.TryGetValue(b, out var back) && back.ContainsKey(a.Key))
            .Select(b => $"{a.Key} ↔ {b} ({string.Join(", ", a.Value[b].Take(3))} / {string.Join(", ", graph[b][a.Key].Take(3))})"))
            .ToList();

        Assert.True(twoWay.Count == 0, "Core folders that reference each other (resolve with an event, a small shared contract, or by "
            + "moving the type to its owner):\n" + string.Join("\n", twoWay));
    }

    // folder → referenced folder → files of the folder that reference it
    private static Dictionary<string, Dictionary<string, SortedSet<string>>> Graph()
    {
        var core = Path.Combine(SolutionRoot(), "Edison.Core");
        var folders = Directory.GetDirectories(core).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("bin" or "obj" or "Properties")).ToArray();
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(core, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (var target in References(File.ReadAllText(file), folders).Where(t => t != folder))
                {
                    if (!graph[folder].TryGetValue(target, out var files))
                    {
                        graph[folder][target] = files = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    files.Add(Path.GetFileName(file));
                }
            }
        }

        return graph;
    }

    private static HashSet<string> References(string text, IReadOnlyCollection<string> folders)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Reference().Matches(text))
        {
            if (folders.Contains(m.Groups["folder"].Value))
            {
                found.Add(m.Groups["folder"].Value);
            }
        }

        return found;
    }

    private static string SolutionRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edison.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Edison.sln above {AppContext.BaseDirectory}.");
    }

    // Edison.Core.X (in a using or a qualified name), or X.Type written relative to the Edison.Core namespace.
    [GeneratedRegex("""(?:\bEdison\.Core\.|(?<![\w.]))(?<folder>[A-Z]\w*)\.(?=[A-Z])|\busing\s+(?:static\s+)?Edison\.Core\.(?<folder>\w+)""")]
    private static partial Regex Reference();
}
