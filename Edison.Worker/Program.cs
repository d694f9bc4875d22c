using Edison.Core;
using Edison.ServiceDefaults;
using Edison.Worker;
using Edison.Worker.Scheduling;

if (args.Contains("migrate"))
{
    return await MigrateCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdisonCore();
builder.AddEdisonScheduler(runsJobs: true);
builder.AddEdisonJobs();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
