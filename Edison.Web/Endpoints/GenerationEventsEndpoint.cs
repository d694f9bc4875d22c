using Edison.Core.Events;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;

namespace Edison.Web.Endpoints;

/// Relays a generation run's progress signals (published on the run's own id) as Server-Sent Events, like an experiment's.
internal static class GenerationEventsEndpoint
{
    public static IEndpointRouteBuilder MapGenerationEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/events/generation/{generationRunId:guid}", (Guid generationRunId, IEventBus events, IHostApplicationLifetime lifetime,
                ILoggerFactory loggers, HttpContext context) =>
            TypedResults.ServerSentEvents(ExperimentEventsEndpoint.StreamAsync(generationRunId, events, lifetime,
                loggers.CreateLogger(typeof(GenerationEventsEndpoint)), context.RequestAborted)))
            .WithName("GenerationEvents")
            .RequireProjectRole(ProjectRole.Viewer);
        return endpoints;
    }
}
