using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Security;
using Edison.IntegrationTests.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Datasets;

/// <summary>
/// Issue 18: 200 malformed files (seeded, so a failure replays) through the dataset importer, half through the web pages
/// (upload, preview, commit) and half through the API: no 5xx, nothing partially written (a dataset exists only when the
/// importer said it imported, and then holds exactly the rows it reported), and every refusal says why or names its row.
/// </summary>
public sealed partial class DatasetImportHostileFuzzTests(SecureWebFixture web, ITestOutputHelper output) : IClassFixture<SecureWebFixture>
{
    private const int Seed = 18;
    private const int Files = 200;

    [Fact]
    public async Task Import_TwoHundredMalformedFiles_HostileFuzzNo5xxNothingPartialEveryRefusalExplained()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var scenario = await SecurityScenario.CreateAsync(web, cts.Token);
        var owner = scenario.Members[ProjectRole.Owner];
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var ownerId = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE is_instance_owner");
        var (_, token) = await web.Factory.Services.GetRequiredService<ApiTokenService>()
            .CreateAsync(new Actor(ownerId), scenario.ProjectId, "fuzz", ProjectRole.Editor, cts.Token);
        using var api = web.NewClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var random = new Random(Seed);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Files; i++)
        {
            var (kind, extension, bytes) = Malformed(random);
            var name = $"fuzz {i} {Guid.NewGuid():N}";
            var viaWeb = i % 2 == 0;
            var context = $"file {i} ({kind}, .{extension}, via {(viaWeb ? "web" : "API")}, seed {Seed}): {Printable(bytes)}";
            var (imported, outcome) = viaWeb
                ? await ThroughWebAsync(owner, name, extension, bytes, context, cts.Token)
                : await ThroughApiAsync(api, scenario.ExperimentId, name, extension, bytes, context, cts.Token);

            var stored = (await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT (SELECT count(*) FROM cases c WHERE c.dataset_id = d.id) FROM datasets d WHERE d.name = @name",
                new { name }, cancellationToken: cts.Token))).ToList();
            if (imported is { } count)
            {
                Assert.True(stored.Count == 1 && stored[0] == count, $"{context}: reported {count} imported, stored {string.Join(",", stored)}");
            }
            else
            {
                Assert.True(stored.Count == 0, $"{context}: refused, yet a dataset was written");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(outcomes.Count >= 2, "the fuzzer should both refuse files and import some rows");
    }

    private static async Task<(long? Imported, string Outcome)> ThroughApiAsync(HttpClient api, Guid experimentId, string name, string extension,
        byte[] bytes, string context, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(extension switch { "csv" => "text/csv", "jsonl" => "application/x-ndjson", _ => "application/json" });
        using var response = await api.PostAsync($"/api/v1/experiments/{experimentId}/datasets?name={Uri.EscapeDataString(name)}", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True((int)response.StatusCode < 500, $"{context}: API answered {(int)response.StatusCode}: {text}");
        using var json = JsonDocument.Parse(text);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            foreach (var skipped in json.RootElement.GetProperty("skipped").EnumerateArray())
            {
                Assert.True(skipped.GetProperty("row").GetInt32() > 0, $"{context}: a skipped row without its number: {skipped}");
                Assert.False(string.IsNullOrWhiteSpace(skipped.GetProperty("message").GetString()), $"{context}: a skipped row without a reason");
            }

            return (json.RootElement.GetProperty("imported").GetInt64(), "api imported");
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var reason = json.RootElement.GetProperty("errors").GetProperty("file")[0].GetString();
        Assert.False(string.IsNullOrWhiteSpace(reason), $"{context}: refused without a reason: {text}");
        return (null, "api refused");
    }

    private static async Task<(long? Imported, string Outcome)> ThroughWebAsync(HttpClient owner, string name, string extension, byte[] bytes, string context,
        CancellationToken cancellationToken)
    {
        var antiforgery = await SecureWebFixture.TokenAsync(owner, "/Datasets/Import", cancellationToken);
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(antiforgery), "__RequestVerificationToken" },
            { new StringContent(name), "Name" },
            { file, "file", $"fuzz.{extension}" },
        };
        var page = await PostAsync(owner, "/Datasets/Import?handler=Upload", upload, context, cancellationToken);
        if (ImportError().Match(page) is { Success: true } refused)
        {
            Assert.False(string.IsNullOrWhiteSpace(WebUtility.HtmlDecode(refused.Groups[1].Value)), $"{context}: an empty error");
            return (null, "web refused at upload");
        }

        var stagingToken = Hidden(page, "Token") ?? throw new InvalidOperationException($"{context}: neither an error nor a preview:\n{page}");
        AssertRowErrorsNamed(page, context);
        using var commit = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Hidden(page, "__RequestVerificationToken")!,
            ["Token"] = stagingToken,
            ["Format"] = Hidden(page, "Format")!,
            ["FileName"] = Hidden(page, "FileName")!,
            ["Name"] = name,
        });
        var result = await PostAsync(owner, "/Datasets/Import?handler=Commit", commit, context, cancellationToken);
        if (ImportError().Match(result) is { Success: true } failed)
        {
            Assert.False(string.IsNullOrWhiteSpace(WebUtility.HtmlDecode(failed.Groups[1].Value)), $"{context}: an empty error");
            return (null, "web refused at commit");
        }

        var summary = ImportSummary().Match(result);
        Assert.True(summary.Success, $"{context}: the commit page says neither what was imported nor why not:\n{result}");
        AssertRowErrorsNamed(result, context);
        return (long.Parse(summary.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), "web imported");
    }

    private static async Task<string> PostAsync(HttpClient client, string path, HttpContent content, string context, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsync(path, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{context}: {path} answered {(int)response.StatusCode}: {text[..Math.Min(500, text.Length)]}");
        return text;
    }

    private static void AssertRowErrorsNamed(string html, string context)
    {
        foreach (Match row in RowError().Matches(html))
        {
            Assert.True(int.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture) > 0, $"{context}: a row error without its row");
            Assert.False(string.IsNullOrWhiteSpace(row.Groups[2].Value), $"{context}: row {row.Groups[1].Value} without a reason");
        }
    }

    private static string? Hidden(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    private static string Printable(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 160));
        return JsonSerializer.Serialize(text);
    }

    // ---- the malformed files ----

    private static (string Kind, string Extension, byte[] Bytes) Malformed(Random random)
    {
        var kinds = Mutations;
        var (kind, extension, make) = kinds[random.Next(kinds.Length)];
        return (kind, extension, make(random));
    }

    private static readonly (string Kind, string Extension, Func<Random, byte[]> Make)[] Mutations =
    [
        ("csv stray quote", "csv", r => Csv(r, (i, row) => i == r.Next(1, 4) ? row.Replace("q", "q\"x", StringComparison.Ordinal) : row)),
        ("csv unclosed quote", "csv", r => Csv(r, (i, row) => i == 2 ? "\"" + row : row)),
        ("csv text after quote", "csv", r => Csv(r, (i, row) => i == 1 ? "\"a\"b," + row : row)),
        ("csv column counts", "csv", r => Csv(r, (i, row) => i % 2 == 0 ? row + ",extra" : row)),
        ("csv bad choices", "csv", r => Csv(r, (i, row) => i % 3 == 0 ? row.Replace(",easy,", ",extreme,", StringComparison.Ordinal).Replace(",train", ",training", StringComparison.Ordinal) : row)),
        ("csv invalid utf-8", "csv", r => Insert(r, Encoding.UTF8.GetBytes(CsvText(r, (_, row) => row)), [0xC3, 0x28])),
        ("csv nul byte", "csv", r => Insert(r, Encoding.UTF8.GetBytes(CsvText(r, (_, row) => row)), [0x00])),
        ("csv duplicate header", "csv", r => Encoding.UTF8.GetBytes("question,question\na,b\n")),
        ("csv both variable columns", "csv", r => Encoding.UTF8.GetBytes("tags,input.tags,q\na,b,c\n")),
        ("csv header only", "csv", r => Encoding.UTF8.GetBytes("question,expected\r\n")),
        ("csv only ignored-role columns", "csv", r => Encoding.UTF8.GetBytes("expected,tags,split\nx,y,train\n")),
        ("csv empty variables", "csv", r => Csv(r, (i, row) => i % 2 == 1 ? " ,x,a,easy,train" : row)),
        ("csv semicolons with bom and errors", "csv", r => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(CsvText(r, (i, row) => i == 2 ? row.Replace(',', ';') + ";x" : row.Replace(',', ';')))]),
        ("csv truncated", "csv", r => Truncate(r, Encoding.UTF8.GetBytes(CsvText(r, (_, row) => "\"" + row.Replace(",", "\",\"", StringComparison.Ordinal) + "\"")))),
        ("empty", "csv", _ => []),
        ("whitespace", "jsonl", _ => Encoding.UTF8.GetBytes(" \n\t\r\n ")),
        ("bom only", "json", _ => [.. Encoding.UTF8.GetPreamble()]),
        ("random bytes", "jsonl", r => Bytes(r, r.Next(1, 400))),
        ("jsonl nul escape", "jsonl", r => Jsonl(r, i => i == 1 ? "{\"q\": \"a\\u0000b\"}" : null)),
        ("jsonl lone surrogate", "jsonl", r => Jsonl(r, i => i == 2 ? "{\"input\": {\"q\": \"\\ud800\"}, \"expected\": \"x\"}" : null)),
        ("jsonl surrogate in key", "jsonl", r => Jsonl(r, i => i == 0 ? "{\"\\udfff\": \"x\"}" : null)),
        ("jsonl surrogate in tag", "jsonl", r => Jsonl(r, i => i == 1 ? "{\"input\": {\"q\": \"a\"}, \"tags\": [\"\\ud83d\"]}" : null)),
        ("jsonl nul in expected", "jsonl", r => Jsonl(r, i => i == 3 ? "{\"input\": {\"q\": \"a\"}, \"expected\": \"\\u0000\"}" : null)),
        ("jsonl not json", "jsonl", r => Jsonl(r, i => i % 2 == 0 ? "{not json" : null)),
        ("jsonl wrong types", "jsonl", r => Jsonl(r, i => (i % 4) switch
        {
            0 => "{\"input\": {\"q\": \"a\"}, \"tags\": \"one\"}",
            1 => "{\"input\": {\"q\": \"a\"}, \"difficulty\": 3}",
            2 => "{\"input\": [1, 2]}",
            _ => "{\"input\": {\"q\": \"a\"}, \"split\": \"holdout\"}",
        })),
        ("jsonl duplicate keys", "jsonl", r => Jsonl(r, i => i == 0 ? "{\"q\": \"a\", \"q\": \"b\"}" : null)),
        ("jsonl deep nesting", "jsonl", r => Jsonl(r, i => i == 1 ? "{\"q\": " + new string('[', 300) + new string(']', 300) + "}" : null)),
        ("jsonl huge number", "jsonl", r => Jsonl(r, i => i == 1 ? "{\"q\": 1e400000}" : null)),
        ("jsonl scalars", "jsonl", _ => Encoding.UTF8.GetBytes("1\n\"text\"\nnull\n[]\n{}\n")),
        ("jsonl truncated", "jsonl", r => Truncate(r, Jsonl(r, _ => null))),
        ("json not an array", "json", _ => Encoding.UTF8.GetBytes("{\"q\": \"a\"}")),
        ("json truncated", "json", r => Truncate(r, JsonArray(r, _ => null))),
        ("json trailing garbage", "json", r => [.. JsonArray(r, _ => null), .. "]]}"u8.ToArray()]),
        ("json nul and surrogate", "json", r => JsonArray(r, i => (i % 3) switch { 0 => "{\"q\": \"\\u0000\"}", 1 => "{\"q\": \"\\udbff\"}", _ => null })),
        ("json elements of every kind", "json", _ => Encoding.UTF8.GetBytes("[1, \"a\", null, true, [], {}, {\"input\": {}}, {\"input\": {\"q\": \"ok\"}, \"tags\": [1]}]")),
    ];

    private static string CsvText(Random random, Func<int, string, string> mutate)
    {
        var builder = new StringBuilder("question,expected,tags,difficulty,split\n");
        var rows = random.Next(2, 8);
        for (var i = 0; i < rows; i++)
        {
            builder.Append(mutate(i, $"q{random.Next(1000)},a{i},t{i},easy,train")).Append('\n');
        }

        return builder.ToString();
    }

    private static byte[] Csv(Random random, Func<int, string, string> mutate) => Encoding.UTF8.GetBytes(CsvText(random, mutate));

    private static byte[] Jsonl(Random random, Func<int, string?> replace)
    {
        var rows = random.Next(2, 8);
        return Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, rows).Select(i => replace(i) ?? $"{{\"input\": {{\"q\": \"q{random.Next(1000)}\"}}, \"expected\": \"a{i}\"}}")) + "\n");
    }

    private static byte[] JsonArray(Random random, Func<int, string?> replace)
    {
        var rows = random.Next(2, 8);
        return Encoding.UTF8.GetBytes("[" + string.Join(",\n", Enumerable.Range(0, rows).Select(i => replace(i) ?? $"{{\"q\": \"q{random.Next(1000)}\"}}")) + "]");
    }

    private static byte[] Insert(Random random, byte[] bytes, byte[] inserted)
    {
        var at = random.Next(bytes.Length);
        return [.. bytes[..at], .. inserted, .. bytes[at..]];
    }

    private static byte[] Truncate(Random random, byte[] bytes) => bytes[..random.Next(1, Math.Max(2, bytes.Length - 1))];

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex("<div class=\"alert alert-error\" role=\"alert\" id=\"import-error\">([^<]*)</div>")]
    private static partial Regex ImportError();

    [GeneratedRegex("<p id=\"import-summary\"><strong>([0-9,]+) cases</strong>")]
    private static partial Regex ImportSummary();

    [GeneratedRegex("<tr><th scope=\"row\" class=\"num\">([0-9-]+)</th><td class=\"num\">[0-9-]*</td><td>[^<]*</td><td>([^<]*)</td></tr>")]
    private static partial Regex RowError();
}
