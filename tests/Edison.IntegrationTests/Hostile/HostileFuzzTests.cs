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

    [Fact]
    public async Task HostileFuzz_MalformedDefinitions_No5xxProcessAliveNothingWritten()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var http = fixture.CreateClient();
        var random = new Random(Seed);
        var valid = ValidDefinition();
        var before = await RowCountsAsync(cts.Token);
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Inputs; i++)
        {
            var damaged = valid.DeepClone();
            var (body, mediaType) = (i % 5) switch
            {
                0 => (Damage(damaged, random, remove: true), "application/json"),
                1 => (Damage(damaged, random, remove: false), "application/json"),
                2 => (valid.ToJsonString()[..random.Next(1, valid.ToJsonString().Length - 1)], "application/json"),
                3 => (Damage(damaged, random, remove: random.Next(2) == 0), "application/yaml"),
                _ => (HostileYaml(random), "application/yaml"),
            };
            using var content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);
            using var response = await http.PostAsync(new Uri("api/v1/experiments", UriKind.Relative), content, cts.Token);
            await RecordAsync(response, $"definition {i} ({mediaType}): {body[..Math.Min(300, body.Length)]}", statuses, cts.Token);
        }

        output.WriteLine("definition statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.False(fixture.Web.HasExited, fixture.Web.Output);
        var after = await RowCountsAsync(cts.Token);
        Assert.Equal((before.Item1 + statuses.GetValueOrDefault(201), before.Item2), (after.Item1, after.Item2));
        Assert.True(statuses.GetValueOrDefault(201) < Inputs / 4, "Most fuzzed inputs must be malformed.");
    }

    private JsonNode ValidDefinition() => JsonNode.Parse($$$"""
        {
          "name": "Fuzzed definition", "goal": "Answer support questions.",
          "rubric": { "criteria": [ { "name": "Correct", "description": "Right.", "weight": 1, "scaleMin": 1, "scaleMax": 2,
                                      "labels": { "1": "no", "2": "yes" } } ] },
          "promptTemplate": "Answer {{ question }}.",
          "cases": [ { "variables": { "question": "Where is my order?" }, "tags": ["orders"] } ],
          "models": [ { "credentialId": "{{{fixture.CredentialId}}}", "model": "gpt-4o-mini" } ],
          "judges": [ { "kind": "pointwise", "credentialId": "{{{fixture.CredentialId}}}", "model": "gpt-4o" } ],
          "stopRules": { "maxIterations": 3 }
        }
        """)!;

    /// Removes a random member (or sets it to null, or to a value of another kind) somewhere in the definition.
    private static string Damage(JsonNode root, Random random, bool remove)
    {
        var objects = new List<JsonObject>();
        Collect(root, objects);
        var target = objects[random.Next(objects.Count)];
        if (target.Count == 0)
        {
            return root.ToJsonString();
        }

        var key = target.Select(p => p.Key).ElementAt(random.Next(target.Count));
        if (remove)
        {
            target.Remove(key);
        }
        else
        {
            target[key] = random.Next(5) switch
            {
                0 => null,
                1 => JsonValue.Create("not a value of its kind"),
                2 => JsonValue.Create(-1e300),
                3 => new JsonArray(JsonValue.Create(1), null),
                _ => new JsonObject { ["unexpected"] = new JsonObject() },
            };
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode? node, List<JsonObject> objects)
    {
        switch (node)
        {
            case JsonObject o:
                objects.Add(o);
                foreach (var (_, child) in o)
                {
                    Collect(child, objects);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, objects);
                }

                break;
        }
    }

    private static string HostileYaml(Random random) => random.Next(4) switch
    {
        0 => new string('[', 5_000 + random.Next(5_000)),
        1 => "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
        2 => "name: [unclosed\n  goal: : :\n",
        _ => "- " + new string('x', random.Next(1, 200)) + "\n- {name: 1, rubric: [1, 2]}\n",
    };

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
