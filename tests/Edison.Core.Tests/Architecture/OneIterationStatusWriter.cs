using System.Text.RegularExpressions;

namespace Edison.Core.Tests.Architecture;

/// Only the iteration's owner (Edison.Core/Runs/IterationLifecycle.cs) writes iterations.status: no other source file of the
/// app, C# or SQL (migrations included), updates the column or inserts a row naming it.
public sealed partial class OneIterationStatusWriter
{
    private const string Owner = "Edison.Core/Runs/IterationLifecycle.cs";
    private static readonly string[] Projects = ["Edison.Core", "Edison.Web", "Edison.Worker"];

    [Theory]
    [InlineData("UPDATE iterations SET status = 'completed', finished_at = now() WHERE id = @id")]
    [InlineData("update iterations i set is_paused = false, status = @to where i.id = @id")]
    [InlineData("UPDATE iterations\n   SET stop_reason = @r,\n       status = 'cancelled'\n WHERE id = @id")]
    [InlineData("INSERT INTO iterations (id, experiment_id, number, status) VALUES (@id, @e, 1, 'pending')")]
    public void StatusWrite_KnownShapes_AreRecognised(string sql) => Assert.NotEmpty(StatusWrites(sql));

    [Theory]
    [InlineData("UPDATE iterations SET stop_reason = @Reason, stop_details = @details::jsonb WHERE id = @iterationId AND status = 'reviewing'")]
    [InlineData("UPDATE suggestions SET status = 'superseded' WHERE iteration_id = @iterationId")]
    [InlineData("UPDATE iterations SET parent_iteration_id = (SELECT i.id FROM iterations i WHERE i.status <> 'cancelled') WHERE id = @id")]
    [InlineData("INSERT INTO iterations_archive (id, status) VALUES (@id, 'done')")]
    public void StatusWrite_ReadsAndOtherTables_AreNotWrites(string sql) => Assert.Empty(StatusWrites(sql));

    [Fact]
    public void SourceFiles_WritesOfIterationsStatus_OnlyInTheOwner()
    {
        var root = SolutionRoot();
        var files = Projects
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, project), "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".sql", StringComparison.Ordinal)
                || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        var writes = files.SelectMany(f => StatusWrites(File.ReadAllText(Path.Combine(root, f))).Select(w => (File: f, Sql: w))).ToList();

        // Guards against a vacuous pass: the scan sees the migrations and the owner, and the owner's writes are recognised.
        Assert.Contains(files, f => f.EndsWith("0001_data_model.sql", StringComparison.Ordinal));
        Assert.True(writes.Count(w => w.File == Owner) >= 2, $"The owner's insert and compare-and-set were not recognised in {Owner}.");
        var others = writes.Where(w => w.File != Owner).Select(w => $"{w.File}: {w.Sql}").ToList();
        Assert.True(others.Count == 0, "Only IterationLifecycle may write iterations.status (add a named transition there):\n"
            + string.Join("\n", others));
    }

    private static IEnumerable<string> StatusWrites(string text)
    {
        foreach (Match m in UpdateIterations().Matches(text))
        {
            if (StatusAssignment().IsMatch(m.Groups["set"].Value))
            {
                yield return Flatten(m.Value);
            }
        }

        foreach (Match m in InsertIterations().Matches(text))
        {
            if (StatusColumn().IsMatch(m.Groups["columns"].Value))
            {
                yield return Flatten(m.Value);
            }
        }
    }

    private static string Flatten(string sql) => string.Join(' ', sql.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));

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

    // The SET list runs to the statement's WHERE, RETURNING, semicolon or the end of the string literal.
    [GeneratedRegex("""\bUPDATE\s+iterations\b(?:\s+(?:AS\s+)?\w+)?\s+SET\b(?<set>(?:(?!\bWHERE\b|\bRETURNING\b|;|").)*)""",
        RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex UpdateIterations();

    [GeneratedRegex("""(?<![\w.])status\s*=""", RegexOptions.IgnoreCase)]
    private static partial Regex StatusAssignment();

    [GeneratedRegex("""\bINSERT\s+INTO\s+iterations\s*\((?<columns>[^)]*)\)""", RegexOptions.IgnoreCase)]
    private static partial Regex InsertIterations();

    [GeneratedRegex("""(?<![\w.])status(?![\w])""", RegexOptions.IgnoreCase)]
    private static partial Regex StatusColumn();
}
