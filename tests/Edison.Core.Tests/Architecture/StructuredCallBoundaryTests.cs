using System.Text.RegularExpressions;

namespace Edison.Core.Tests.Architecture;

/// Every place Edison asks a model for JSON declares its schema in one registry (Edison.Core/Llm/Structured): a response format
/// built anywhere else — ForJsonSchema, ChatResponseFormat.Json, a hand-made ChatResponseFormatJson, or the typed
/// GetResponseAsync&lt;T&gt; that derives one from a C# type — would send a schema that does not carry the parser's rules.
public sealed partial class StructuredCallBoundaryTests
{
    private const string Registry = "Edison.Core/Llm/Structured/";

    private static readonly string[] Projects = ["Edison.Core", "Edison.Web", "Edison.Worker"];

    private static readonly string Root = FindRoot();

    [Fact]
    public void ResponseFormatScan_Registry_IsFoundSoTheRuleCannotPassVacuously()
    {
        var hits = Hits().Select(h => h.File).ToList();

        Assert.Contains(hits, f => f.StartsWith(Registry, StringComparison.Ordinal));
        Assert.True(ProductFiles().Count() > 200, "The scan found too few product source files: is the root right?");
    }

    [Fact]
    public void ResponseFormat_OutsideTheStructuredCallRegistry_IsNeverBuilt()
    {
        var outside = Hits().Where(h => !h.File.StartsWith(Registry, StringComparison.Ordinal)).Select(h => $"{h.File}:{h.Line}: {h.Text}").ToList();

        Assert.True(outside.Count == 0, "Build response formats only in StructuredCalls:\n" + string.Join('\n', outside));
    }

    private static IEnumerable<(string File, int Line, string Text)> Hits() =>
        from file in ProductFiles()
        let relative = Path.GetRelativePath(Root, file).Replace('\\', '/')
        from line in File.ReadLines(file).Select((text, i) => (Text: text, Number: i + 1))
        where ResponseFormatConstruction().IsMatch(line.Text) && !line.Text.TrimStart().StartsWith("//", StringComparison.Ordinal)
        select (relative, line.Number, line.Text.Trim());

    private static IEnumerable<string> ProductFiles() =>
        Projects.SelectMany(project => Directory.EnumerateFiles(Path.Combine(Root, project), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edison.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Edison.sln was not found above the test's output folder.");
    }

    [GeneratedRegex(@"ChatResponseFormat\s*\.\s*(ForJsonSchema|Json\b|Text\b)|new\s+ChatResponseFormatJson\b|ChatResponseFormatJson\s*\(|GetResponseAsync\s*<")]
    private static partial Regex ResponseFormatConstruction();
}
