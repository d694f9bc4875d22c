using Edison.Core;
using Edison.ServiceDefaults;
using Edison.Web;
using Edison.Web.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdisonCore();
builder.AddEdisonWeb();
builder.AddEdisonApi();

var app = builder.Build();
app.UseEdisonWeb();
app.MapDefaultEndpoints();
app.MapEdisonWeb();
app.MapEdisonApi();
await app.RunAsync();

/// <summary>Exposed for WebApplicationFactory-based tests.</summary>
public partial class Program;
