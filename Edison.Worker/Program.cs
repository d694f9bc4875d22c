using Edison.Core;
using Edison.ServiceDefaults;
using Edison.Worker;

if (args.Contains("migrate"))
{
    return await MigrateCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdisonCore();

builder.AddEdisonJobs();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
return 0;
