using Edison.Core.Api;
using Edison.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Regression;

internal static class RegressionRegistration
{
    public static IHostApplicationBuilder AddScheduledRegressions(this IHostApplicationBuilder builder)
    {
        builder.AddEdisonApiCore();
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        builder.Services.AddSingleton<WebhookSecretProtector>();
        builder.Services.AddSingleton(sp => new RegressionScheduleService(sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<IRegressionScheduler>(), sp.GetRequiredService<WebhookSecretProtector>(),
            sp.GetRequiredService<Edison.Core.Security.ProjectAccess>())
        {
            AllowPlainHttpLoopback = builder.Environment.IsDevelopment() || sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPlainHttpLoopback,
        });
        builder.Services.AddSingleton(sp => new RegressionRunService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<CiCheckService>(),
            sp.GetRequiredService<ApiStore>(), sp.GetRequiredService<IJobScheduler>(), sp.GetRequiredService<ILogger<RegressionRunService>>()));
        builder.Services.AddSingleton<ClosedLoop.IMeasuredRunFinisher>(sp => sp.GetRequiredService<RegressionRunService>());
        builder.Services.AddSingleton(sp => new RegressionWebhookSender(sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<WebhookSecretProtector>(), sp.GetRequiredService<IOptions<WebhookOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RegressionWebhookSender>>())
        {
            AllowPlainHttpLoopback = builder.Environment.IsDevelopment() || sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPlainHttpLoopback,
        });
        return builder;
    }
}
