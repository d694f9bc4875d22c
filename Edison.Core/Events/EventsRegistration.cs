using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edison.Core.Events;

internal static class EventsRegistration
{
    public static IHostApplicationBuilder AddEvents(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(CoreRegistration.RedisConnectionName, settings => settings.DisableHealthChecks = true,
            options => options.AbortOnConnectFail = false);
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        builder.Services.AddSingleton<IEventBus, RedisEventBus>();
        return builder;
    }
}
