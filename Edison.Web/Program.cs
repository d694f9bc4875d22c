using Edison.Core;
using Edison.ServiceDefaults;
using Edison.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdisonCore();
builder.AddEdisonWeb();

var app = builder.Build();
app.UseEdisonWeb();
app.MapDefaultEndpoints();
app.MapEdisonWeb();
await app.RunAsync();

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
