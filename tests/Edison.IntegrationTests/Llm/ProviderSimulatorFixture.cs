using Edison.Testing.Simulator;

namespace Edison.IntegrationTests.Llm;

/// <summary>One simulator per test class; each test isolates itself with its own tenant.</summary>
public sealed class ProviderSimulatorFixture : IAsyncLifetime
{
    private ProviderSimulator? _simulator;

    public ProviderSimulator Simulator =>
        _simulator ?? throw new InvalidOperationException("The simulator has not started.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }
}
