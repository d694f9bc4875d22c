namespace Edison.IntegrationTests.Observability;

/// The observability and planted-key tests share one web + worker pair (each test makes its own experiment and key),
/// and run one after the other, so a metric listener sees one test's iteration at a time.
[CollectionDefinition(Name)]
public sealed class TracedLoopGroup : ICollectionFixture<TracedLoopFixture>
{
    public const string Name = "traced-loop";
}
