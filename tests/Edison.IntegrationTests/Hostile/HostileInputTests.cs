using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Edison.Core.Security;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Hostile;

/// <summary>
/// Issue 14, findings 2–4, against the real web app in a process of its own: a YAML body nested 100,000 deep or an alias bomb,
/// an oversized JSON body, a zip bomb (declared or lying about its size) and a template that loops two million times are each
/// answered 400 with the reason, quickly, the process alive and its peak working set bounded.
/// </summary>
public sealed class HostileInputTests(HostileWebFixture fixture, ITestOutputHelper output) : IClassFixture<HostileWebFixture>
{
    /// More than the app's own peak after its first requests that any of these inputs may make it hold.
    private const long MaxGrowthBytes = 300L * 1024 * 1024;

    [Fact]
    public async Task HostileYaml_HundredThousandNestedBrackets_400InWordsAndTheProcessLives()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = fixture.CreateClient();

        var (response, elapsed) = await PostAsync(http, "api/v1/experiments", Yaml(new string('[', 100_000)), cts.Token);

        await AssertRefusedAsync(response, "nests deeper than the limit of 64 levels", elapsed, cts.Token);
    }

    [Fact]
    public async Task HostileYaml_AliasBomb_400InWordsFastAndSmall()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = fixture.CreateClient();
        var bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            bomb.Append(level).Append(": &").Append(level).Append(" [")
                .AppendJoin(",", Enumerable.Repeat($"*{previous}", 9)).Append("]\n");
        }

        var (response, elapsed) = await PostAsync(http, "api/v1/experiments", Yaml(bomb.ToString()), cts.Token);

        await AssertRefusedAsync(response, "Anchors and aliases are not supported", elapsed, cts.Token);
    }

    [Fact]
    public async Task HostileJson_BodyOverTheLimit_400NamingTheLimit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = fixture.CreateClient();
        var body = "{\"name\": \"" + new string('n', InputLimits.MaxDefinitionBytes + 1024) + "\"}";

        var (response, elapsed) = await PostAsync(http, "api/v1/experiments", new StringContent(body, Encoding.UTF8, "application/json"), cts.Token);

        await AssertRefusedAsync(response, "larger than the limit of 4 MB", elapsed, cts.Token);
    }

    [Fact]
    public async Task HostileZip_EntryExpandingTo200Megabytes_400BeforeExpanding()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var http = fixture.CreateClient();
        var zip = Bomb(200L * 1024 * 1024);
        output.WriteLine($"bomb: {zip.Length:N0} bytes compressed, 200 MB expanded");

        var (response, elapsed) = await PostAsync(http, "api/v1/bundles", Zip(zip), cts.Token);

        await AssertRefusedAsync(response, "the limit is 64 MB", elapsed, cts.Token);
    }

    [Fact]
    public async Task HostileZip_HeaderLyingAboutItsSize_StopsAtTheDeclaredSize()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var http = fixture.CreateClient();
        var zip = Bomb(200L * 1024 * 1024);
        // Every size field of the big entry says 1,000 bytes; its deflate stream still expands to 200 MB.
        DeclareSize(zip, "tables/projects.json", 1000);

        var (response, elapsed) = await PostAsync(http, "api/v1/bundles", Zip(zip), cts.Token);

        await AssertRefusedAsync(response, "tables/projects.json", elapsed, cts.Token);
    }

    [Fact]
    public async Task HostileTemplate_LoopOfTwoMillion_RefusedAtSaveInWords()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var http = fixture.CreateClient();
        var definition = new
        {
            name = "Looping",
            goal = "Answer.",
            rubric = new
            {
                criteria = new[]
                {
                    new { name = "Correct", description = "Right.", weight = 1, scaleMin = 1, scaleMax = 2, labels = new Dictionary<string, string> { ["1"] = "no", ["2"] = "yes" } },
                },
            },
            promptTemplate = "{% for i in (1..2000000) %}Answer {{ question }} again. {% endfor %}",
            cases = new[] { new { variables = new { question = "q" } } },
            models = new[] { new { credentialId = fixture.CredentialId, model = "gpt-4o-mini" } },
            judges = new[] { new { kind = "pointwise", credentialId = fixture.CredentialId, model = "gpt-4o" } },
        };
        var before = await ExperimentCountAsync(cts.Token);

        var (response, elapsed) = await PostAsync(http, "api/v1/experiments",
            new StringContent(JsonSerializer.Serialize(definition), Encoding.UTF8, "application/json"), cts.Token);

        await AssertRefusedAsync(response, "100,000 steps", elapsed, cts.Token);
        Assert.Equal(before, await ExperimentCountAsync(cts.Token));
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string words, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var peak = fixture.Web.PeakWorkingSetBytes;
            output.WriteLine($"{(int)response.StatusCode} in {elapsed.TotalMilliseconds:N0} ms; web peak working set {peak / 1048576.0:N0} MB "
                + $"(baseline {fixture.BaselinePeakBytes / 1048576.0:N0} MB): {body}");
            Assert.False(fixture.Web.HasExited, $"The web process died:\n{fixture.Web.Output}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}\n{fixture.Web.Output[^Math.Min(6000, fixture.Web.Output.Length)..]}");
            Assert.Contains(words, body, StringComparison.Ordinal);
            Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
            Assert.InRange(peak - fixture.BaselinePeakBytes, long.MinValue, MaxGrowthBytes);
        }
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Elapsed)> PostAsync(HttpClient http, string path, HttpContent content,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
            return (response, clock.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"The web process did not answer after {clock.Elapsed.TotalSeconds:N1} s (crashed?): {ex.Message}", ex);
        }
    }

    private async Task<long> ExperimentCountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM experiments", cancellationToken: cancellationToken));
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    private static ByteArrayContent Zip(byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    /// A bundle whose manifest is right and whose first table (projects) is a JSON array padded with spaces to <paramref name="expanded"/> bytes.
    internal static byte[] Bomb(long expanded)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var manifest = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            {
                manifest.Write("{\"format\": \"edison-experiment-bundle\", \"version\": 1}");
            }

            using var stream = zip.CreateEntry("tables/projects.json", CompressionLevel.SmallestSize).Open();
            stream.WriteByte((byte)'[');
            var spaces = new byte[1024 * 1024];
            Array.Fill(spaces, (byte)' ');
            for (long written = 1; written < expanded - 1; written += spaces.Length)
            {
                stream.Write(spaces, 0, (int)Math.Min(spaces.Length, expanded - 1 - written));
            }

            stream.WriteByte((byte)']');
        }

        return buffer.ToArray();
    }

    /// Rewrites the uncompressed-size fields of <paramref name="entryName"/> in its local header and the central directory.
    private static void DeclareSize(byte[] zip, string entryName, uint size)
    {
        var name = Encoding.UTF8.GetBytes(entryName);
        var patched = 0;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
                patched++;
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
                patched++;
            }
        }

        Assert.Equal(2, patched);
    }
}
