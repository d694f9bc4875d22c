namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Test classes that assert on attempt gaps and cancellation latency measured at the simulator. They run one after
/// another: side by side on a two-core machine, one class's load delays the other's requests by up to a second.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LlmTimingGroup
{
    public const string Name = "llm-timing";
}
