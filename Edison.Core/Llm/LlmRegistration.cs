using Edison.Core.Llm.Local;
using Edison.Core.Llm.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

internal static class LlmRegistration
{
    public static IHostApplicationBuilder AddLlmGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        builder.Services.AddSingleton<CredentialProtector>();
        builder.Services.AddSingleton<CredentialStore>();
        builder.Services.AddSingleton<LlmCallStore>();
        builder.Services.AddSingleton<PriceTable>();
        builder.Services.AddSingleton(CredentialService.Create);
        builder.Services.AddSingleton<IProviderAdapter, OpenAIAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, OpenAICompatibleAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, AzureOpenAIAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, AnthropicAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, GeminiAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, OllamaAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, Providers.Bedrock.BedrockAdapter>();
        builder.Services.AddSingleton<IProviderAdapter, Providers.Vertex.VertexAdapter>();
        builder.Services.AddSingleton<Local.LocalModelCache>();
        builder.Services.AddSingleton<IProviderAdapter, Local.LocalProviderAdapter>();
        builder.Services.AddOptions<RedisKeyOptions>().BindConfiguration(RedisKeyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RedisKeyOptions>, RedisKeyOptionsValidator>();
        builder.Services.AddSingleton<IChatClientFactory, ChatClientFactory>();
        builder.Services.AddSingleton<ResponseCache>();
        builder.Services.AddSingleton<CredentialLimitStore>();
        builder.Services.AddSingleton<LiveWorkerCount>();
        builder.Services.AddSingleton<LocalRateLog>();
        builder.Services.AddSingleton<CredentialRateLimiter>();
        builder.Services.AddSingleton(sp => new PriceService(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Edison.Core.Security.ProjectAccess>(), sp.GetRequiredService<PriceTable>()));
        // Model hosts redirect to their CDN, so redirects stay on here (at most 5); every hop's address is checked on connect.
        builder.Services.AddHttpClient(LocalModelDownloader.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = true, MaxAutomaticRedirections = 5,
                ConnectCallback = Security.OutboundPolicy.ConnectCallback(() => true),
            });
        builder.Services.AddSingleton(sp => new LocalModelDownloader(sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<LlmOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LocalModelDownloader>>()));
        builder.Services.AddHealthChecks().AddCheck<RateLimiterHealthCheck>("llm-rate-limits", tags: ["ready"]);
        builder.Services.AddSingleton(sp => new ProviderReadiness(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            sp.GetRequiredService<IOptions<LlmOptions>>()));
        builder.Services.AddSingleton<CredentialConcurrency>();
        builder.Services.AddSingleton<ITokenEstimator, TiktokenEstimator>();
        builder.Services.AddSingleton<CallKeyFlight>();
        builder.Services.AddSingleton(sp => new LlmGatewayGuards(sp.GetRequiredService<ResponseCache>(),
            sp.GetRequiredService<CredentialLimitStore>(), sp.GetRequiredService<CredentialRateLimiter>(),
            sp.GetRequiredService<CredentialConcurrency>(), sp.GetRequiredService<ITokenEstimator>(), sp.GetRequiredService<CallKeyFlight>()));
        builder.Services.AddSingleton(sp => new LlmGateway(sp.GetRequiredService<IChatClientFactory>(),
            sp.GetRequiredService<CredentialStore>(), sp.GetRequiredService<LlmCallStore>(), sp.GetRequiredService<PriceTable>(),
            sp.GetRequiredService<LlmGatewayGuards>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LlmGateway>>()));
        return builder;
    }
}
