namespace Edison.AppHost.Infra;

/// The two servers every Edison process needs, whichever mode provided them, and a line saying where they are.
internal sealed record EdisonInfra(
    InfraMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    string Description);
