using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Edison.IntegrationTests.Security;

/// The project page: an owner transfers ownership, deletes the project only after typing its name (and then nothing of it
/// is left in any table), and exports it as a zip of experiment bundles and datasets.
public sealed class ProjectSettingsTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task TransferOwnership_ToAMember_LeavesExactlyOneOwner_AndThePreviousOwnerAnAdmin()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var project = await OwnedProject.CreateAsync(web, cts.Token);
        var (member, memberId) = await web.SignUpAsync($"heir-{Guid.NewGuid():N}@security.test", cts.Token);
        member.Dispose();
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        await connection.ExecuteAsync("INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @memberId, 'viewer')",
            new { project.ProjectId, memberId });

        using var transferred = await PostAsync(project.Owner, "Transfer", ("userId", memberId.ToString()), cts.Token);

        Assert.Equal(HttpStatusCode.Redirect, transferred.StatusCode);
        var roles = (await connection.QueryAsync<(Guid UserId, string Role)>(
            "SELECT user_id, role FROM project_members WHERE project_id = @ProjectId", new { project.ProjectId })).ToDictionary(r => r.UserId, r => r.Role);
        Assert.Equal("owner", Assert.Single(roles, r => r.Value == "owner").Value);
        Assert.Equal("owner", roles[memberId]);
        Assert.Equal("admin", roles[project.OwnerId]);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM audit_log WHERE project_id = @ProjectId AND action = 'project.ownership-transferred' AND entity_id = @memberId",
            new { project.ProjectId, memberId }));

        // Now an admin, the previous owner may no longer transfer or delete.
        using var again = await PostAsync(project.Owner, "Transfer", ("userId", memberId.ToString()), cts.Token);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
    }

    [Fact]
    public async Task Delete_WithTheWrongName_DeletesNothing_WithTheRightName_LeavesNoRowOfTheProject()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var project = await OwnedProject.CreateAsync(web, cts.Token);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var before = await RowsOfAsync(connection, project, cts.Token);
        Assert.True(before.Count >= 10, "The project should hold rows in many tables: " + string.Join(", ", before.Keys));
        var defaultProjectRows = await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM experiments WHERE project_id <> @ProjectId", new { project.ProjectId });

        using (var wrong = await PostAsync(project.Owner, "Delete", ("ConfirmName", project.Name + "x"), cts.Token))
        {
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Type the project", await wrong.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
        }

        Assert.Equal(before, await RowsOfAsync(connection, project, cts.Token));

        using var deleted = await PostAsync(project.Owner, "Delete", ("ConfirmName", project.Name), cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        var landing = await project.Owner.GetAsync(deleted.Headers.Location, cts.Token);
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        var html = await landing.Content.ReadAsStringAsync(cts.Token);
        Assert.Contains(project.Name, html, StringComparison.Ordinal);
        Assert.Contains("not in any project", html, StringComparison.Ordinal);

        var after = await RowsOfAsync(connection, project, cts.Token);
        Assert.True(after.Count == 0, "Rows left behind: " + string.Join(", ", after.Select(r => $"{r.Key}={r.Value}")));
        Assert.Equal(defaultProjectRows, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM experiments WHERE project_id <> @ProjectId", new { project.ProjectId }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM audit_log WHERE project_id IS NULL AND action = 'project.deleted' AND entity_id = @ProjectId", new { project.ProjectId }));
    }

    [Fact]
    public async Task Export_AsOwner_IsAZipOfEachExperimentsBundleAndEachDatasetAsJsonLines()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var project = await OwnedProject.CreateAsync(web, cts.Token);

        using var response = await project.Owner.GetAsync("/Settings/Project?handler=Export", cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(cts.Token)), ZipArchiveMode.Read);
        using (var manifest = JsonDocument.Parse(await ReadAsync(zip, "manifest.json", cts.Token)))
        {
            Assert.Equal("edison-project-export", manifest.RootElement.GetProperty("format").GetString());
            Assert.Equal(project.Name, manifest.RootElement.GetProperty("project").GetString());
            Assert.Equal(project.ExperimentId, Assert.Single(manifest.RootElement.GetProperty("experiments").EnumerateArray()).GetProperty("id").GetGuid());
        }

        var bundleEntry = zip.GetEntry($"experiments/{project.ExperimentId}.zip") ?? throw new InvalidOperationException("No experiment bundle.");
        await using (var bundleStream = await bundleEntry.OpenAsync(cts.Token))
        {
            var copy = new MemoryStream();
            await bundleStream.CopyToAsync(copy, cts.Token);
            using var bundle = new ZipArchive(copy, ZipArchiveMode.Read);
            using var bundleManifest = JsonDocument.Parse(await ReadAsync(bundle, "manifest.json", cts.Token));
            Assert.Equal("edison-experiment-bundle", bundleManifest.RootElement.GetProperty("format").GetString());
            Assert.NotNull(bundle.GetEntry("tables/iterations.json"));
        }

        var lines = (await ReadAsync(zip, $"datasets/{project.DatasetId}.jsonl", cts.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => JsonDocument.Parse(l).RootElement.GetProperty("input").GetProperty("question").GetString() == "What is 2+2?");
        Assert.Equal(3, zip.Entries.Count);
        Assert.DoesNotContain("sk-owned-project", await ReadAllTextAsync(zip, cts.Token), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string handler, (string Key, string Value) field,
        CancellationToken cancellationToken)
    {
        var token = await SecureWebFixture.TokenAsync(client, "/Settings/Project", cancellationToken);
        return await client.PostAsync($"/Settings/Project?handler={handler}", SecureWebFixture.Form(token, field), cancellationToken);
    }

    // Every row, in every table, that names the project or one of its experiments, datasets or iterations, counted per table.
    private static async Task<Dictionary<string, int>> RowsOfAsync(NpgsqlConnection connection, OwnedProject project,
        CancellationToken cancellationToken)
    {
        var columns = await connection.QueryAsync<(string Table, string Column)>(new CommandDefinition("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.column_name IN ('project_id', 'experiment_id', 'dataset_id', 'iteration_id')
               OR (c.table_schema = 'public' AND c.table_name = 'projects' AND c.column_name = 'id')
            """, cancellationToken: cancellationToken));
        var ids = new Dictionary<string, Guid>
        {
            ["project_id"] = project.ProjectId, ["id"] = project.ProjectId, ["experiment_id"] = project.ExperimentId,
            ["dataset_id"] = project.DatasetId, ["iteration_id"] = project.IterationId,
        };
        var counts = new Dictionary<string, int>();
        foreach (var (table, column) in columns)
        {
            var count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                $"SELECT count(*)::int FROM \"{table}\" WHERE \"{column}\" = @id", new { id = ids[column] }, cancellationToken: cancellationToken));
            if (count > 0)
            {
                counts[$"{table}.{column}"] = count;
            }
        }

        return counts;
    }

    private static async Task<string> ReadAsync(ZipArchive zip, string name, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"No {name} in the zip.");
        await using var stream = await entry.OpenAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static async Task<string> ReadAllTextAsync(ZipArchive zip, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith(".zip", StringComparison.Ordinal)))
        {
            text.Append(await ReadAsync(zip, entry.FullName, cancellationToken));
        }

        return text.ToString();
    }
}
