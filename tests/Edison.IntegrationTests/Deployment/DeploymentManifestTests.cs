using System.Diagnostics;
using System.Text.Json;
using Edison.Testing;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Edison.IntegrationTests.Deployment;

/// <summary>
/// What a deploy consumes: the AppHost's publish manifest (azd → Azure Container Apps) and the single-server compose file.
/// Neither may carry a secret.
/// </summary>
public sealed class DeploymentManifestTests(ITestOutputHelper output)
{
    private static readonly string[] SecretMarkers = ["Password=", "password=", "api_key", "apikey", "sk-"];

    [Fact]
    public async Task PublishManifest_AppHost_YieldsProjectsForWebAndWorkerAndParametersForDatabaseAndRedisWithoutSecrets()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var root = RepositoryRoot();
        var outputPath = Directory.CreateTempSubdirectory("edison-manifest-").FullName;
        try
        {
            var startInfo = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (var arg in new[] { "run", "--project", Path.Combine(root, "Edison.AppHost"), "--no-build", "--", "--publisher", "manifest",
                         "--output-path", outputPath })
            {
                startInfo.ArgumentList.Add(arg);
            }

            // The manifest must not depend on where the tests' servers are.
            startInfo.Environment.Remove(TestEnvironment.DatabaseVariable);
            startInfo.Environment.Remove(TestEnvironment.RedisVariable);
            using var process = new Process { StartInfo = startInfo };
            var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => printed.Enqueue(e.Data ?? "");
            process.ErrorDataReceived += (_, e) => printed.Enqueue("stderr: " + e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            output.WriteLine(string.Join('\n', printed));
            Assert.True(process.ExitCode == 0, $"The AppHost exited {process.ExitCode}:\n{string.Join('\n', printed)}");
            var file = Directory.GetFiles(outputPath, "*.json").Single();
            var text = await File.ReadAllTextAsync(file, cts.Token);
            output.WriteLine(text);
            using var manifest = JsonDocument.Parse(text);
            var resources = manifest.RootElement.GetProperty("resources");

            Assert.Equal("project.v0", resources.GetProperty("web").GetProperty("type").GetString());
            Assert.Equal("project.v0", resources.GetProperty("worker").GetProperty("type").GetString());
            // A one-shot step deployed as a container app would restart after every exit; it is an operator-run job instead.
            Assert.False(resources.TryGetProperty("migrate", out _), "migrate would be deployed as a container app that restarts after it exits.");
            foreach (var name in new[] { "edisondb", "redis" })
            {
                var resource = resources.GetProperty(name);
                Assert.StartsWith("parameter.", resource.GetProperty("type").GetString(), StringComparison.Ordinal);
                Assert.Equal($"{{{name}.value}}", resource.GetProperty("connectionString").GetString());
                Assert.True(resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), $"{name} is not marked secret.");
            }

            var webEnvironment = resources.GetProperty("web").GetProperty("env");
            Assert.Equal("{edisondb.connectionString}", webEnvironment.GetProperty("ConnectionStrings__edisondb").GetString());
            Assert.Equal("{redis.connectionString}", webEnvironment.GetProperty("ConnectionStrings__redis").GetString());
            Assert.All(SecretMarkers, marker => Assert.DoesNotContain(marker, text, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(outputPath, recursive: true);
        }
    }

    [Fact]
    public void ComposeFile_Services_HaveImagesEnvironmentAndDependenciesAndNoInlinedSecret()
    {
        var path = Path.Combine(RepositoryRoot(), "compose.yaml");
        var text = File.ReadAllText(path);
        var yaml = new YamlStream();
        using (var reader = new StringReader(text))
        {
            yaml.Load(reader);
        }

        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(new HashSet<string?>(StringComparer.Ordinal) { "postgres", "redis", "migrate", "web", "worker" }, names);
        YamlMappingNode Service(string name) => (YamlMappingNode)services[name];
        string? Scalar(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;
        Dictionary<string, string?> Environment(string name) => ((YamlMappingNode)Service(name)["environment"]).Children
            .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value, StringComparer.Ordinal);
        Dictionary<string, string?> DependsOn(string name) => ((YamlMappingNode)Service(name)["depends_on"]).Children
            .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => Scalar((YamlMappingNode)e.Value, "condition"), StringComparer.Ordinal);

        Assert.Contains("edison-worker", Scalar(Service("migrate"), "image"), StringComparison.Ordinal);
        Assert.Equal("migrate", ((YamlSequenceNode)Service("migrate")["command"]).Children.OfType<YamlScalarNode>().Single().Value);
        Assert.Contains("edison-web", Scalar(Service("web"), "image"), StringComparison.Ordinal);
        Assert.Contains("edison-worker", Scalar(Service("worker"), "image"), StringComparison.Ordinal);
        Assert.Equal("service_healthy", DependsOn("migrate")["postgres"]);
        foreach (var app in new[] { "web", "worker" })
        {
            var environment = Environment(app);
            Assert.Contains("Host=postgres", environment["ConnectionStrings__edisondb"], StringComparison.Ordinal);
            Assert.Contains("Password=${POSTGRES_PASSWORD}", environment["ConnectionStrings__edisondb"], StringComparison.Ordinal);
            Assert.StartsWith("redis:6379", environment["ConnectionStrings__redis"], StringComparison.Ordinal);
            Assert.Equal(new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["postgres"] = "service_healthy", ["redis"] = "service_healthy", ["migrate"] = "service_completed_successfully",
            }, DependsOn(app));
        }

        Assert.StartsWith("${POSTGRES_PASSWORD:?", Environment("postgres")["POSTGRES_PASSWORD"], StringComparison.Ordinal);
        // Every password is a variable reference, never a literal.
        Assert.DoesNotMatch(@"Password=(?!\$\{)", text);
    }

    private static string RepositoryRoot()
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
}
