using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Edison.Core.Security;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Hostile;

/// <summary>
/// Issue 14, finding 1, through the running web app with an editor's token: a bundle that points rows at another project, names
/// another project's credential, carries a credential row, forges approvals or plants calls under a live iteration's keys is
/// imported only as what the pages would create (or refused in words), each object with its audit row.
/// </summary>
public sealed class HostileBundleTests(HostileWebFixture fixture, ITestOutputHelper output) : IClassFixture<HostileWebFixture>
{
    [Fact]
    public async Task HostileBundle_ForeignProjectCredentialRowForgedPeopleAndLiveKeys_ImportedOnlyAsThePagesWould()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var other = await OtherProjectAsync(cts.Token);
        using var http = await EditorClientAsync(cts.Token);
        var tables = await TablesAsync(cts.Token);
        var experiment = tables["tables/experiments.json"]![0]!;
        experiment["project_id"] = other.ProjectId.ToString();
        foreach (var dataset in tables["tables/datasets.json"]!.AsArray())
        {
            dataset!["project_id"] = other.ProjectId.ToString();
        }

        foreach (var version in tables["tables/prompt_versions.json"]!.AsArray())
        {
            version!["approved_by"] = other.UserId.ToString();
        }

        var credentialRow = tables["tables/provider_credentials.json"]![0]!;
        credentialRow["name"] = "planted";
        credentialRow["base_url"] = "http://attacker.invalid/v1";
        var liveKey = $"exec:{other.IterationId}:{Guid.NewGuid()}:{Guid.NewGuid()}:0";
        tables["tables/llm_calls.json"]!.AsArray().Add(new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(), ["project_id"] = experiment["project_id"]!.DeepClone(), ["experiment_id"] = experiment["id"]!.DeepClone(),
            ["credential_id"] = credentialRow["id"]!.DeepClone(), ["provider"] = "openai", ["model"] = "gpt-4o-mini", ["purpose"] = "execute",
            ["call_key"] = liveKey, ["status"] = "succeeded", ["attempts"] = 1, ["cache_hit"] = false, ["input_tokens"] = 1, ["output_tokens"] = 1, ["cached_input_tokens"] = 0, ["reasoning_tokens"] = 0,
            ["cost_usd"] = 0, ["latency_ms"] = 1, ["response_text"] = "planted answer", ["started_at"] = "2026-01-01T00:00:00Z",
            ["finished_at"] = "2026-01-01T00:00:01Z", ["price_known"] = true,
        });
        var bundleCredential = Guid.Parse(credentialRow["id"]!.GetValue<string>());
        var before = await CountsAsync(other.ProjectId, cts.Token);

        using var response = await PostAsync(http, Zip(tables), $"credential={bundleCredential}:{fixture.CredentialId}", cts.Token);

        var body = await response.Content.ReadAsStringAsync(cts.Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        var imported = JsonDocument.Parse(body).RootElement.GetProperty("experimentId").GetGuid();
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(before, await CountsAsync(other.ProjectId, cts.Token));
        Assert.Equal(fixture.ProjectId, await connection.ExecuteScalarAsync<Guid>("SELECT project_id FROM experiments WHERE id = @imported", new { imported }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM provider_credentials WHERE name = 'planted' OR base_url LIKE '%attacker%'"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM prompt_versions WHERE experiment_id = @imported AND approved_by = @other", new { imported, other = other.UserId }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM llm_calls WHERE call_key LIKE 'exec:' || @live || '%'",
            new { live = other.IterationId.ToString() }));
        Assert.Equal([fixture.CredentialId], await connection.QueryAsync<Guid>(
            "SELECT DISTINCT credential_id FROM model_configs WHERE experiment_id = @imported", new { imported }));
        var versions = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM prompt_versions WHERE experiment_id = @imported", new { imported });
        var audited = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM audit_log WHERE action = 'bundle.import' AND entity_type = 'prompt-version'
              AND entity_id IN (SELECT id FROM prompt_versions WHERE experiment_id = @imported)
            """, new { imported });
        Assert.Equal(versions, audited);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM llm_calls WHERE experiment_id = @imported AND call_key LIKE 'import:%'",
            new { imported }));
    }

    [Fact]
    public async Task HostileBundle_AnotherProjectsCredential_RefusedInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var other = await OtherProjectAsync(cts.Token);
        using var http = await EditorClientAsync(cts.Token);
        var tables = await TablesAsync(cts.Token);
        foreach (var model in tables["tables/model_configs.json"]!.AsArray())
        {
            model!["credential_id"] = other.CredentialId.ToString();
        }

        var experiments = await ExperimentCountAsync(cts.Token);

        using var unmapped = await PostAsync(http, Zip(tables), "", cts.Token);
        var bundleCredential = tables["tables/provider_credentials.json"]![0]!["id"]!.GetValue<string>();
        using var mappedToForeign = await PostAsync(http, Zip(tables),
            $"credential={bundleCredential}:{fixture.CredentialId}&credential={other.CredentialId}:{other.CredentialId}", cts.Token);

        var (first, second) = (await unmapped.Content.ReadAsStringAsync(cts.Token), await mappedToForeign.Content.ReadAsStringAsync(cts.Token));
        output.WriteLine(first);
        output.WriteLine(second);
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (unmapped.StatusCode, mappedToForeign.StatusCode));
        Assert.Contains("Choose one of this project's credentials", first, StringComparison.Ordinal);
        Assert.Contains("is not one of this project's credentials", second, StringComparison.Ordinal);
        Assert.Equal(experiments, await ExperimentCountAsync(cts.Token));
    }

    internal async Task<HttpClient> EditorClientAsync(CancellationToken cancellationToken)
    {
        var editor = await TestActors.MemberAsync(fixture.Database.DataSource, fixture.ProjectId, ProjectRole.Editor, cancellationToken);
        var (_, token) = await fixture.Services.GetRequiredService<ApiTokenService>().CreateAsync(editor, fixture.ProjectId, "editor", ProjectRole.Editor,
            cancellationToken);
        var http = new HttpClient { BaseAddress = fixture.Web.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    internal async Task<Dictionary<string, JsonNode?>> TablesAsync(CancellationToken cancellationToken)
    {
        using var zip = new ZipArchive(new MemoryStream(await fixture.ExportAsync(cancellationToken)), ZipArchiveMode.Read);
        var entries = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(entry.Open());
            entries[entry.FullName] = JsonNode.Parse(await reader.ReadToEndAsync(cancellationToken));
        }

        return entries;
    }

    internal static byte[] Zip(Dictionary<string, JsonNode?> entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, node) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
                writer.Write(node?.ToJsonString() ?? "null");
            }
        }

        return buffer.ToArray();
    }

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient http, byte[] zip, string query, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return await http.PostAsync(new Uri($"api/v1/bundles?{query}", UriKind.Relative), content, cancellationToken);
    }

    private async Task<long> ExperimentCountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM experiments", cancellationToken: cancellationToken));
    }

    private async Task<(long Experiments, long Datasets, long Credentials)> CountsAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM experiments WHERE project_id = @projectId), (SELECT count(*) FROM datasets WHERE project_id = @projectId),
                   (SELECT count(*) FROM provider_credentials WHERE project_id = @projectId)
            """, new { projectId }, cancellationToken: cancellationToken));
    }

    /// Another project on the instance, with a user, a credential and an iteration id its calls would use.
    private async Task<(Guid ProjectId, Guid UserId, Guid CredentialId, Guid IterationId)> OtherProjectAsync(CancellationToken cancellationToken)
    {
        var (projectId, credentialId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO projects (id, name) VALUES (@projectId, 'Other ' || @projectId);
            INSERT INTO provider_credentials (id, project_id, name, provider, base_url) VALUES (@credentialId, @projectId, 'other key', 'openai', 'https://api.openai.com/v1');
            """, new { projectId, credentialId }, cancellationToken: cancellationToken));
        var owner = await TestActors.MemberAsync(fixture.Database.DataSource, projectId, ProjectRole.Owner, cancellationToken);
        return (projectId, owner.UserId, credentialId, Guid.CreateVersion7());
    }
}
