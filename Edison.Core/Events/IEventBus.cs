namespace Edison.Core.Events;

/// <summary>Best-effort real-time signals between processes. Losing one loses no data: pages also poll.</summary>
public interface IEventBus
{
    /// <summary>Publishes the event; failures are logged and dropped.</summary>
    Task PublishAsync(ExperimentEvent experimentEvent, CancellationToken cancellationToken);

    /// <summary>Streams the events of one experiment until cancelled.</summary>
    IAsyncEnumerable<ExperimentEvent> SubscribeAsync(Guid experimentId, CancellationToken cancellationToken);
}
