using Edison.Core.Datasets.Import;

namespace Edison.Core.Tests.Datasets;

public sealed class DatasetFileParserImportTests
{
    [Fact]
    public void Parse_CsvWithQuotedCommasNewlinesAndCrlf_ReadsFieldsAndSuggestsRoles()
    {
        var csv = "question,expected,tags,difficulty\r\n\"a, b\",\"line1\nline2\",x;y,Hard\r\n\"say \"\"hi\"\"\",,,\r\n";

        var parse = DatasetFileParser.Parse(csv, ImportFormat.Csv, null);

        Assert.Null(parse.FileError);
        Assert.Equal(2, parse.Rows.Count);
        Assert.Equal("a, b", parse.Rows[0].Case.Variables["question"].GetString());
        Assert.Equal(("line1\nline2", "x;y", "hard"), (parse.Rows[0].Case.ExpectedOutput, string.Join(';', parse.Rows[0].Case.Tags), parse.Rows[0].Case.Difficulty));
        Assert.Equal("say \"hi\"", parse.Rows[1].Case.Variables["question"].GetString());
        Assert.Null(parse.Rows[1].Case.ExpectedOutput);
    }

    [Theory]
    [InlineData("q\n\"a\"b\n", "Line 2: text follows a closing quote")]
    [InlineData("q\na\"b\n", "Line 2: a quote inside an unquoted field")]
    [InlineData("q\n\"open\n", "Line 2: a quoted field is never closed")]
    public void Parse_MisquotedCsv_FailsTheWholeFileNamingTheLine(string csv, string expected)
    {
        var parse = DatasetFileParser.Parse(csv, ImportFormat.Csv, null);

        Assert.StartsWith(expected, parse.FileError, StringComparison.Ordinal);
        Assert.Empty(parse.Rows);
    }

    [Fact]
    public void Parse_JsonLinesWithBadFields_ErrorsNameRowAndFieldAndKeepTheRest()
    {
        var text = """
            {"input": {"q": "one"}, "tags": ["a"], "split": "test"}
            {"input": {"q": "two"}, "difficulty": "extreme"}
            not json
            {"input": {"q": "four"}, "tags": "a"}
            {"q": "five"}
            """;

        var parse = DatasetFileParser.Parse(text, ImportFormat.JsonLines, null);

        Assert.Equal([1, 5], parse.Rows.Select(r => r.Row));
        Assert.Equal("test", parse.Rows[0].Split);
        Assert.Equal([(2, "difficulty"), (3, null), (4, "tags")], parse.Errors.Select(e => (e.Row, e.Column)));
    }

    [Fact]
    public void Parse_JsonArray_ReadsEachElement()
    {
        var parse = DatasetFileParser.Parse("""[{"input": {"q": "a"}, "expected": "A"}, 3]""", ImportFormat.JsonArray, null);

        Assert.Single(parse.Rows);
        Assert.Equal((2, "Each case must be a JSON object, such as {\"question\": \"…\"}."), (parse.Errors[0].Row, parse.Errors[0].Message));
    }

    [Fact]
    public void Write_CsvWithQuotesAndNewlines_ParsesBackIdentically()
    {
        var cases = new[]
        {
            new Core.Datasets.DatasetCase { Input = """{"q":"a, \"b\"\nc"}""", ExpectedOutput = "x", Tags = ["t1", "t2"], Difficulty = "easy", Split = "test" },
        };

        var parse = DatasetFileParser.Parse(DatasetExporter.Write(cases, ImportFormat.Csv), ImportFormat.Csv, null);

        Assert.Null(parse.FileError);
        Assert.Equal("a, \"b\"\nc", parse.Rows[0].Case.Variables["q"].GetString());
        Assert.Equal(("x", "t1;t2", "easy", "test"),
            (parse.Rows[0].Case.ExpectedOutput, string.Join(';', parse.Rows[0].Case.Tags), parse.Rows[0].Case.Difficulty, parse.Rows[0].Split));
    }
}
