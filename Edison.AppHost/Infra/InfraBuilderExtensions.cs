using Edison.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;

namespace Edison.AppHost.Infra;

internal static class InfraBuilderExtensions
{
    /// Adds PostgreSQL (database "edisondb") and Redis in the mode chosen by <c>Edison:Infra</c>
    /// (auto | external | containers | executables); throws <see cref="InfraSetupException"/> at once when the
    /// chosen mode cannot work, because Aspire itself would only wait.
    internal static EdisonInfra AddEdisonInfra(this IDistributedApplicationBuilder builder)
    {
        InfraSetupException.ExitCleanlyWhenUnhandled();
        if (builder.ExecutionContext.IsPublishMode)
        {
            return ExternalInfra.AddParameters(builder);
        }

        ResourceFailureReporter.Register(builder);
        // A dependent whose dependency failed should fail too, not wait for a restart that never comes.
        builder.Services.Configure<ResourceNotificationServiceOptions>(o => o.DefaultWaitBehavior = WaitBehavior.StopOnResourceUnavailable);

        var configured = ConfiguredMode(builder.Configuration);
        var mode = configured != InfraMode.Auto ? configured
            : !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ResourceNames.Database)) ? InfraMode.External
            : ContainerRuntime.Answers() ? InfraMode.Containers
            : InfraMode.Executables;
        return mode switch
        {
            InfraMode.External => ExternalInfra.Add(builder),
            InfraMode.Containers => ContainerInfra.Add(builder, runtimeChecked: configured == InfraMode.Auto),
            _ => ExecutableInfra.Add(builder),
        };
    }

    private static InfraMode ConfiguredMode(ConfigurationManager configuration)
    {
        var text = configuration[InfraSettings.Mode];
        if (string.IsNullOrWhiteSpace(text))
        {
            text = nameof(InfraMode.Auto);
        }

        return Enum.TryParse<InfraMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _)
            ? mode
            : throw new InfraSetupException($"{InfraSettings.Mode}={text} is not one of auto, external, containers, executables.");
    }
}
