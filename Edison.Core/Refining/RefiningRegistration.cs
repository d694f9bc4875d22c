using Edison.Core.Llm;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.Core.Refining;

internal static class RefiningRegistration
{
    public static IServiceCollection AddRefining(this IServiceCollection services) =>
        services.AddSingleton(sp => new RefinerPipeline(sp.GetRequiredService<LlmGateway>()));
}
