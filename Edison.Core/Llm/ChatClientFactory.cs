using Edison.Core.Llm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

internal sealed class ChatClientFactory : IChatClientFactory
{
    private readonly Dictionary<string, IProviderAdapter> _adapters;
    private readonly IOptions<LlmOptions> _options;

    public ChatClientFactory(IEnumerable<IProviderAdapter> adapters, IOptions<LlmOptions> options)
    {
        _adapters = adapters.ToDictionary(a => a.Provider, StringComparer.Ordinal);
        _options = options;
    }

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(settings);
        if (!_adapters.TryGetValue(credential.Provider, out var adapter))
        {
            throw new LlmCallException(LlmErrorClass.BadRequest, $"Provider '{credential.Provider}' is not available in this build.");
        }

        // Settings are applied outside telemetry (the first Use is outermost) so that spans show the options actually sent.
        return adapter.Create(credential, model, settings)
            .AsBuilder()
            .ConfigureOptions(o => SettingsApplier.Apply(o, settings, credential.Provider))
            .UseOpenTelemetry(configure: c => c.EnableSensitiveData = _options.Value.TraceContent)
            .Build();
    }
}
