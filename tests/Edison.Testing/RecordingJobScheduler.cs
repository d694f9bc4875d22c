using System.Collections.Concurrent;
using Edison.Core.Jobs;

namespace Edison.Testing;

/// <summary>
/// An <see cref="IJobScheduler"/> that only records requests, for tests that drive Core's job bodies themselves instead of
/// letting a worker run them. Like Quartz, it accepts a key once.
/// </summary>
public sealed class RecordingJobScheduler : IJobScheduler
{
    private readonly ConcurrentDictionary<string, JobRequest> _requests = new(StringComparer.Ordinal);

    /// <summary>Every accepted request.</summary>
    public IReadOnlyCollection<JobRequest> Requests => [.. _requests.Values];

    public Task<bool> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(_requests.TryAdd(request.Key, request));
    }
}
