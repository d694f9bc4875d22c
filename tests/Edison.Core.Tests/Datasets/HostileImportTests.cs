using System.Text;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Import;

namespace Edison.Core.Tests.Datasets;

/// <summary>Issue 18, findings 6 and 10: text PostgreSQL cannot store, and CSV that spreadsheets and other locales write.</summary>
public sealed class HostileImportTests
{
    [Theory]
    [InlineData("{\"q\": \"a\\u0000b\"}", "q", "NUL character")]
    [InlineData("{\"q\": \"a\\ud800b\"}", "q", "surrogate")]
    [InlineData("{\"q\": \"a\\udc00\"}", "q", "surrogate")]
    [InlineData("{\"input\": {\"q\": {\"deep\": [\"\\u0000\"]}}}", "q", "NUL character")]
    [InlineData("{\"input\": {\"q\": \"ok\"}, \"expected\": \"x\\u0000\"}", "expected", "NUL character")]
    [InlineData("{\"input\": {\"q\": \"ok\"}, \"tags\": [\"\\ud834\"]}", "tags", "surrogate")]
    [InlineData("{\"q\\u0000\": \"ok\"}", "q\uFFFD", "NUL character")]
    public void Parse_JsonLinesWithNulOrLoneSurrogate_HostileRowIsSkippedNamingItsField(string bad, string column, string reason)
    {
        var text = "{\"q\": \"fine\"}\n" + bad + "\n{\"q\": \"fine too \\ud83d\\ude00\"}\n";

        var parse = DatasetFileParser.Parse(text, ImportFormat.JsonLines, null);

        Assert.Null(parse.FileError);
        Assert.Equal([1, 3], parse.Rows.Select(r => r.Row));
        var error = Assert.Single(parse.Errors);
        Assert.Equal((2, 2, column), (error.Row, error.Line, error.Column));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonArrayWithDuplicateFieldAndSurrogateName_HostileRowsAreSkippedNotThrown()
    {
        var text = "[{\"q\": \"a\", \"q\": \"b\"}, {\"\\ud800\": \"x\"}, {\"q\": \"ok\"}]";

        var parse = DatasetFileParser.Parse(text, ImportFormat.JsonArray, null);

        Assert.Null(parse.FileError);
        Assert.Equal([3], parse.Rows.Select(r => r.Row));
        Assert.Equal([1, 2], parse.Errors.Select(e => e.Row));
    }

    [Fact]
    public async Task PreviewAsync_SemicolonCsvWithBom_HostileDelimiterIsDetected()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("Frage;expected;tags\r\nWie geht's, Anna?;Gut;a|b\r\n\"mit ; drin\";x;\r\n")).ToArray();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var preview = await DatasetImporter.PreviewAsync(new MemoryStream(bytes), ImportFormat.Csv, null, 10, cts.Token);

        Assert.Null(preview.FileError);
        Assert.Equal(["Frage", "expected", "tags"], preview.Headers);
        Assert.Equal(2, preview.ValidRows);
        Assert.Equal("Wie geht's, Anna?", preview.FirstRows[0].Case.Variables["Frage"].GetString());
        Assert.Equal(("Gut", "a;b"), (preview.FirstRows[0].Case.ExpectedOutput, string.Join(';', preview.FirstRows[0].Case.Tags)));
        Assert.Equal("mit ; drin", preview.FirstRows[1].Case.Variables["Frage"].GetString());
    }

    [Fact]
    public void Write_CsvWithFormulaValues_HostileCellsAreInertAndImportBackUnchanged()
    {
        string[] values = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "'=already", "'plain", "plain"];
        var cases = values.Select(v => new DatasetCase
        {
            Input = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["q"] = v }), ExpectedOutput = v, Tags = ["=t"],
        }).ToArray();

        var csv = DatasetExporter.Write(cases, ImportFormat.Csv);
        var parse = DatasetFileParser.Parse(csv, ImportFormat.Csv, null);

        var cells = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).SelectMany(l => l.Split(',')).Select(c => c.TrimStart('"'));
        Assert.DoesNotContain(cells, c => c.Length > 0 && "=+-@\t".Contains(c[0], StringComparison.Ordinal));
        Assert.Null(parse.FileError);
        Assert.Equal(values, parse.Rows.Select(r => r.Case.Variables["q"].GetString()));
        Assert.Equal(values, parse.Rows.Select(r => r.Case.ExpectedOutput));
        Assert.All(parse.Rows, r => Assert.Equal(["=t"], r.Case.Tags));
    }

    [Fact]
    public void Write_CsvWithVariableNamedTags_HostileNameRoundTrips()
    {
        var cases = new[]
        {
            new DatasetCase { Input = """{"tags":"the variable","split":"also a variable","q":"x"}""", ExpectedOutput = "e", Tags = ["t1", "t2"], Split = "test" },
        };

        var parse = DatasetFileParser.Parse(DatasetExporter.Write(cases, ImportFormat.Csv), ImportFormat.Csv, null);

        Assert.Null(parse.FileError);
        var row = Assert.Single(parse.Rows);
        Assert.Equal(["q", "split", "tags"], row.Case.Variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("the variable", "also a variable"), (row.Case.Variables["tags"].GetString(), row.Case.Variables["split"].GetString()));
        Assert.Equal(["t1", "t2"], row.Case.Tags);
        Assert.Equal(("test", "e"), (row.Split, row.Case.ExpectedOutput));
    }
}
