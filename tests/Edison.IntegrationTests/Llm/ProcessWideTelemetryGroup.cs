namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Tests that count process-wide telemetry objects (every live Meter of a name): they run alone, after the parallel
/// tests, since another class's clients in flight (or test-built pipelines) would be counted with theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetryGroup
{
    public const string Name = "process-wide-telemetry";
}
