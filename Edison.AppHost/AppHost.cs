using Edison.AppHost;
using Edison.AppHost.Infra;
using Edison.ServiceDefaults;

var builder = DistributedApplication.CreateBuilder(args);

// PostgreSQL ("edisondb") and Redis: external servers, containers or the local binaries, chosen by Edison:Infra.
var infra = builder.AddEdisonInfra();
var db = infra.Database;
var redis = infra.Redis;

// One-shot: the worker binary applies the DbUp scripts and Quartz's schema, then exits 0 ("Finished").
// Without the launch profile it has no endpoint: nothing to health-probe and no clash with the worker's port.
var migrate = builder.AddProject<Projects.Edison_Worker>(ResourceNames.Migrate, o => o.ExcludeLaunchProfile = true)
    .WithArgs("migrate")
    .WithReference(db).WaitFor(db);
// Azure Container Apps runs every manifest project as an app and restarts it whenever it exits, so a one-shot step would
// loop. Deployed, migrate is a Container Apps job the operator starts before each release (docs/operations.md).
if (builder.ExecutionContext.IsPublishMode)
{
    migrate.ExcludeFromManifest();
}

var web = builder.AddProject<Projects.Edison_Web>(ResourceNames.Web)
    .WithExternalHttpEndpoints()
    .WithReference(db).WithReference(redis)
    .WaitFor(db).WaitFor(redis).WaitForCompletion(migrate)
    .WithHttpHealthCheck("/health");

var worker = builder.AddProject<Projects.Edison_Worker>(ResourceNames.Worker)
    .WithReference(db).WithReference(redis)
    .WaitFor(db).WaitFor(redis).WaitForCompletion(migrate)
    .WithHttpHealthCheck("/health");

// Tests isolate their cache and rate-limit keys with a prefix.
if (builder.Configuration[InfraSettings.RedisKeyPrefix] is { Length: > 0 } keyPrefix)
{
    web.WithEnvironment("Edison__Redis__KeyPrefix", keyPrefix);
    worker.WithEnvironment("Edison__Redis__KeyPrefix", keyPrefix);
}

// Journeys sign many people in from one address: tests pass the documented rate-limit override on to the web app.
if (builder.Configuration["Edison:Security:RateLimitsEnabled"] is { Length: > 0 } rateLimits)
{
    web.WithEnvironment("Edison__Security__RateLimitsEnabled", rateLimits);
}

// Locally, a fixed and printed address people can bookmark; a published app keeps the platform's ports.
if (builder.ExecutionContext.IsRunMode)
{
    var webPort = WebPort.Resolve(builder.Configuration);
    // A new instance's Setup page asks for a one-time token; the AppHost chooses it (or takes Edison:SetupToken) and prints it.
    var setupToken = builder.Configuration["Edison:SetupToken"] is { Length: > 0 } given
        ? given : Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    web.WithEnvironment("Edison__SetupToken", setupToken);
    web.WithHttpEndpoint(port: webPort);
    var dashboard = builder.Configuration["ASPNETCORE_URLS"]?.Split(';')[0] ?? "off";
    Console.WriteLine(infra.Description);
    Console.WriteLine($"Edison web app: http://localhost:{webPort}  (dashboard: {dashboard})");
    web.OnResourceReady((_, _, _) =>
    {
        Console.WriteLine($"Edison is ready: http://localhost:{webPort}  (first-run setup token: {setupToken})");
        return Task.CompletedTask;
    });
}

builder.Build().Run();
