using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Providers;

/// Puts a model config's settings on each request, where the caller has not set the same option itself.
internal static class SettingsApplier
{
    public static void Apply(ChatOptions options, ModelSettings settings, string provider)
    {
        options.Temperature ??= settings.Temperature;
        options.MaxOutputTokens ??= settings.MaxOutputTokens;
        if (settings.ReasoningEffort is { } effort && provider is not ProviderKinds.Anthropic and not ProviderKinds.Ollama)
        {
            options.Reasoning ??= new ReasoningOptions { Effort = effort };
        }
    }
}
