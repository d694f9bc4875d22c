using System.Text.Json.Nodes;
using Dapper;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Hostile;

/// <summary>
/// Issue 14: a seeded fuzz of the bundle importer, 200 malformed inputs, against the
/// running web app: no 5xx, the process alive, nothing written.
/// </summary>
public sealed class HostileFuzzTests(HostileWebFixture fixture, ITestOutputHelper output) : IClassFixture<HostileWebFixture>
{
    private const int Seed = 14;
    private const int Inputs = 200;

    [Fact]
    public async Task HostileFuzz_MalformedBundles_No5xxProcessAliveNothingWritten()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var http = fixture.CreateClient();
        var random = new Random(Seed);
        var valid = await new HostileBundleTests(fixture, output).TablesAsync(cts.Token);
        var credential = valid["tables/provider_credentials.json"]![0]!["id"]!.GetValue<string>();
        var query = $"credential={credential}:{fixture.CredentialId}";
        var zipped = HostileBundleTests.Zip(valid);
        var before = await RowCountsAsync(cts.Token);
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Inputs; i++)
        {
            var bundle = (i % 4) switch
            {
                0 => Flip(zipped, random),
                1 => zipped[..random.Next(1, zipped.Length - 1)],
                2 => HostileBundleTests.Zip(MutateTables(valid, random)),
                _ => RandomBytes(random),
            };
            using var response = await HostileBundleTests.PostAsync(http, bundle, query, cts.Token);
            await RecordAsync(response, $"bundle {i}", statuses, cts.Token);
        }

        output.WriteLine("bundle statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.False(fixture.Web.HasExited, fixture.Web.Output);
        // Nothing written by a refused input: experiments grow only by the inputs that were still valid, credentials never.
        var after = await RowCountsAsync(cts.Token);
        Assert.Equal((before.Item1 + statuses.GetValueOrDefault(201), before.Item2), (after.Item1, after.Item2));
        Assert.True(statuses.GetValueOrDefault(201) < Inputs / 4, "Most fuzzed inputs must be malformed.");
    }

    private async Task RecordAsync(HttpResponseMessage response, string what, Dictionary<int, int> statuses, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        statuses[status] = statuses.GetValueOrDefault(status) + 1;
        Assert.False(fixture.Web.HasExited, $"The web process died on {what}:\n{fixture.Web.Output}");
        // A mutation can leave an input valid (a flipped bit in the unread report, a changed description): it may be created; every
        // other answer is a 4xx in words.
        Assert.True(status is 201 or (>= 400 and < 500), $"{what} answered {status}: {await response.Content.ReadAsStringAsync(cancellationToken)}\n{fixture.Web.Output[^Math.Min(4000, fixture.Web.Output.Length)..]}");
    }

    private static byte[] Flip(byte[] zip, Random random)
    {
        var copy = (byte[])zip.Clone();
        for (var k = 0; k < 1 + random.Next(8); k++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 2048)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// The valid bundle with one table's row damaged: a column dropped, given another kind of value, an id made up, or the table replaced.
    private static Dictionary<string, JsonNode?> MutateTables(Dictionary<string, JsonNode?> valid, Random random)
    {
        var tables = valid.ToDictionary(t => t.Key, t => t.Value?.DeepClone(), StringComparer.Ordinal);
        var names = tables.Keys.Where(k => k.StartsWith("tables/", StringComparison.Ordinal) && tables[k] is JsonArray { Count: > 0 }).ToList();
        var name = names[random.Next(names.Count)];
        var rows = tables[name]!.AsArray();
        var row = rows[random.Next(rows.Count)]!.AsObject();
        var column = row.Select(p => p.Key).ElementAt(random.Next(row.Count));
        switch (random.Next(6))
        {
            case 0:
                row.Remove(column);
                break;
            case 1:
                row[column] = "not a value of its kind";
                break;
            case 2:
                row[column] = Guid.NewGuid().ToString();
                break;
            case 3:
                row[column] = new JsonArray(1, 2, 3);
                break;
            case 4:
                tables[name] = JsonValue.Create(7);
                break;
            default:
                tables.Remove(random.Next(2) == 0 ? name : "manifest.json");
                break;
        }

        if (column == "id" && name == "tables/projects.json")
        {
            // Projects are ignored on import: make the damage count by breaking the experiment too.
            tables["tables/experiments.json"] = new JsonArray();
        }

        return tables;
    }

    private async Task<(long, long, long)> RowCountsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM experiments), (SELECT count(*) FROM provider_credentials), 0::bigint
            """, cancellationToken: cancellationToken));
    }
}
