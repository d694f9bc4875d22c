using System.Globalization;
using System.Text;
using System.Text.Json;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Import;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Edison.Testing;

namespace Edison.IntegrationTests.Datasets;

/// <summary>CSV, JSONL and JSON imports into PostgreSQL: the mapping, row errors that lose nothing valid, and files refused whole.</summary>
public sealed class DatasetImportTests(StudioFixture fixture, ITestOutputHelper output) : IClassFixture<StudioFixture>
{
    private static readonly ColumnMapping Mapping = new(new Dictionary<string, ColumnRole>
    {
        ["customer"] = ColumnRole.Variable,
        ["question"] = ColumnRole.Variable,
        ["answer"] = ColumnRole.ExpectedOutput,
        ["labels"] = ColumnRole.Tags,
        ["level"] = ColumnRole.Difficulty,
        ["bucket"] = ColumnRole.Split,
        ["internal_note"] = ColumnRole.Ignore,
    });

    private DatasetImporter Importer => fixture.Services.GetRequiredService<DatasetImporter>();

    private DatasetReader Reader => fixture.Services.GetRequiredService<DatasetReader>();

    [Fact]
    public async Task CommitAsync_TenThousandRowCsvWithMapping_ImportsEveryRowWithItsRoles()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var csv = Csv(10_000, bad: new Dictionary<int, string>());

        var result = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "ten thousand", Stream(csv), ImportFormat.Csv, Mapping, cts.Token);

        output.WriteLine($"10,000-row CSV ({Encoding.UTF8.GetByteCount(csv) / 1024} KB) imported in {result.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((10_000, 1), (result.Imported, result.DatasetVersion!.Value));
        Assert.Empty(result.Skipped);
        var cases = await Reader.GetCasesAsync(result.DatasetId!.Value, null, cts.Token);
        Assert.Equal(10_000, cases.Count);
        var seventh = cases[7];
        var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(seventh.Input)!;
        Assert.Equal(new Dictionary<string, string> { ["customer"] = "Customer 8", ["question"] = "Question 8, with \"quotes\"\nand a second line" }, variables);
        Assert.Equal(("Answer 8", "refund;billing", "hard", "train"), (seventh.ExpectedOutput, string.Join(';', seventh.Tags), seventh.Difficulty, seventh.Split));
        Assert.Equal(10_000, cases.Select(c => c.Position).Distinct().Count());
    }

    [Fact]
    public async Task CommitAsync_CsvWithFiveBadRows_ReportsExactlyThoseRowsAndColumnsAndImportsTheRest()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var bad = new Dictionary<int, string> { [3] = "level", [17] = "bucket", [42] = "columns", [58] = "level", [99] = "empty" };
        var csv = Csv(100, bad);

        var preview = await DatasetImporter.PreviewAsync(Stream(csv), ImportFormat.Csv, Mapping, 5, cts.Token);
        var result = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "five bad", Stream(csv), ImportFormat.Csv, Mapping, cts.Token);

        Assert.Null(preview.FileError);
        Assert.Equal((5, 100, 95), (preview.FirstRows.Count, preview.TotalRows, preview.ValidRows));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(95, result.Imported);
        Assert.Equal(
            [(3, "level"), (17, "bucket"), (42, null), (58, "level"), (99, null)],
            result.Skipped.Select(e => (e.Row, e.Column)).ToList());
        Assert.Contains("\"impossible\" is not one of easy, medium or hard", result.Skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("\"training\" is not one of train, validation or test", result.Skipped[1].Message, StringComparison.Ordinal);
        Assert.Equal("The row has 5 columns; the header has 7.", result.Skipped[2].Message);
        Assert.Equal("Every variable of the row is empty.", result.Skipped[4].Message);
        var cases = await Reader.GetCasesAsync(result.DatasetId!.Value, null, cts.Token);
        Assert.Equal(95, cases.Count);
        Assert.DoesNotContain(cases, c => bad.Keys.Any(row => c.Input.Contains($"\"Customer {row}\"", StringComparison.Ordinal)));
    }

    public static TheoryData<string> RefusedFiles => new() { "empty", "binary", "misquoted", "unclosed", "header-only" };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task CommitAsync_RefusedFile_ClearErrorAndNothingChanged(string kind)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var (bytes, expected) = kind switch
        {
            "empty" => (Array.Empty<byte>(), "The file is empty"),
            "binary" => ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], "The file is not text"),
            "misquoted" => (Encoding.UTF8.GetBytes("customer,question\r\nAda,\"fine\"\r\nBob,\"she said \"hi\" to me\"\r\nCy,ok\r\n"),
                "Line 3: text follows a closing quote"),
            "unclosed" => (Encoding.UTF8.GetBytes("customer,question\nAda,ok\nBob,\"never closed\nCy,ok\n"), "Line 3: a quoted field is never closed"),
            _ => (Encoding.UTF8.GetBytes("customer,question\n"), "a header but no rows"),
        };
        var before = await fixture.CountsAsync(projectId, cts.Token);

        var result = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, kind, new MemoryStream(bytes), ImportFormat.Csv, null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Null(result.DatasetId);
        Assert.Equal(before, await fixture.CountsAsync(projectId, cts.Token));
        Assert.Equal((0L, 0L, 0L), before);
    }

    [Fact]
    public async Task CommitAsync_FiftyMegabyteFile_RefusedBeforeParsingAndNothingChanged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var path = Path.Combine(Path.GetTempPath(), $"edison-import-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var writer = new StreamWriter(path))
            {
                await writer.WriteLineAsync("customer,question");
                var line = "Ada," + new string('x', 1000);
                for (var i = 0; i < (50 * 1024 * 1024 / (line.Length + 1)) + 1; i++)
                {
                    await writer.WriteLineAsync(line);
                }
            }

            Assert.True(new FileInfo(path).Length >= 50L * 1024 * 1024);
            await using var file = File.OpenRead(path);
            var result = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
                projectId, null, null, "huge", file, ImportFormat.Csv, null, cts.Token);

            Assert.False(result.Succeeded);
            Assert.StartsWith("The file is 50 MB", result.Error, StringComparison.Ordinal);
            Assert.Contains("the limit is 20 MB and 50,000 rows", result.Error, StringComparison.Ordinal);
            Assert.Equal(0, file.Position);
            Assert.Equal((0L, 0L, 0L), await fixture.CountsAsync(projectId, cts.Token));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CommitAsync_MoreThanFiftyThousandRows_RefusedWithTheRowLimit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var jsonl = string.Join('\n', Enumerable.Range(0, ImportLimits.MaxRows + 1).Select(i => $$"""{"q":"{{i}}"}"""));

        var result = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "many", Stream(jsonl), ImportFormat.JsonLines, null, cts.Token);

        Assert.Equal("The file has 50,001 rows: the limit is 50,000 rows and 20 MB. Split it into smaller files.", result.Error);
        Assert.Equal((0L, 0L, 0L), await fixture.CountsAsync(projectId, cts.Token));
    }

    [Theory]
    [InlineData(ImportFormat.Csv)]
    [InlineData(ImportFormat.JsonLines)]
    [InlineData(ImportFormat.JsonArray)]
    public async Task ExportThenImport_EachFormat_RoundTripsCasesAndSplits(ImportFormat format)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var imported = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "source", Stream(Csv(30, bad: new Dictionary<int, string>())), ImportFormat.Csv, Mapping, cts.Token);
        var exporter = fixture.Services.GetRequiredService<DatasetExporter>();
        using var buffer = new MemoryStream();

        await exporter.ExportAsync(imported.DatasetId!.Value, null, format, buffer, cts.Token);
        buffer.Position = 0;
        var again = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "copy", buffer, format, null, cts.Token);

        Assert.True(again.Succeeded, again.Error);
        Assert.Empty(again.Skipped);
        var original = await Reader.GetCasesAsync(imported.DatasetId.Value, null, cts.Token);
        var copy = await Reader.GetCasesAsync(again.DatasetId!.Value, null, cts.Token);
        Assert.Equal(
            original.Select(c => (Normalize(c.Input), c.ExpectedOutput, string.Join(';', c.Tags), c.Difficulty, c.Split)),
            copy.Select(c => (Normalize(c.Input), c.ExpectedOutput, string.Join(';', c.Tags), c.Difficulty, c.Split)));
    }

    [Fact]
    public async Task CommitAsync_IntoExistingDataset_AddsANewVersionKeepingTheOldOne()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var projectId = await fixture.ProjectAsync(cts.Token);
        var first = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, null, "grows", Stream(Csv(10, bad: new Dictionary<int, string>())), ImportFormat.Csv, Mapping, cts.Token);

        var second = await Importer.CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, null, first.DatasetId, "", Stream("""{"customer":"Zed","question":"New?"}"""),
            ImportFormat.JsonLines, null, cts.Token);

        Assert.Equal((first.DatasetId, 2, 1), (second.DatasetId, second.DatasetVersion, second.Imported));
        Assert.Equal(10, (await Reader.GetCasesAsync(first.DatasetId!.Value, 1, cts.Token)).Count);
        var current = await Reader.GetCasesAsync(first.DatasetId.Value, null, cts.Token);
        Assert.Equal(11, current.Count);
        Assert.Equal(10, current[^1].Position);
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonSerializer.Deserialize<SortedDictionary<string, string>>(json));

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    /// Rows numbered from 1; a row in <paramref name="bad"/> is broken in the named way.
    private static string Csv(int rows, IReadOnlyDictionary<int, string> bad)
    {
        string[] levels = ["easy", "medium", "hard"];
        string[] buckets = ["train", "validation", "test", ""];
        var builder = new StringBuilder("customer,question,answer,labels,level,bucket,internal_note\r\n");
        for (var row = 1; row <= rows; row++)
        {
            var n = row.ToString(CultureInfo.InvariantCulture);
            var level = bad.GetValueOrDefault(row) == "level" ? "impossible" : levels[row % 3];
            var bucket = bad.GetValueOrDefault(row) == "bucket" ? "training" : buckets[row % 4];
            builder.Append(bad.GetValueOrDefault(row) switch
            {
                "columns" => $"Customer {n},Question {n},Answer {n},refund,easy\r\n",
                "empty" => $",  ,Answer {n},refund,easy,train,note\r\n",
                _ => $"Customer {n},\"Question {n}, with \"\"quotes\"\"\nand a second line\",Answer {n},refund;billing,{level},{bucket},note {n}\r\n",
            });
        }

        return builder.ToString();
    }
}
