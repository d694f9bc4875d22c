using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Edison.Worker.Scheduling;

/// Tuning of the clustered Quartz scheduler shared by the worker (which runs jobs) and the web app (a client only).
public sealed class SchedulerOptions
{
    public const string SectionName = "Edison:Scheduler";

    /// How long an idle worker waits before polling the store again. Quartz's 30 s default would make every click wait.
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// How long a silent node may be late before another node recovers its jobs.
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan DbRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// Jobs one worker process runs at once; LLM calls inside a chunk add their own concurrency.
    [Range(2, 64)]
    public int MaxConcurrency { get; set; } = 8;

    /// Threads of <see cref="MaxConcurrency"/> that bulk (chunk) jobs never take, kept for work a person waits for.
    [Range(1, 63)]
    public int ReservedForInteractive { get; set; } = 2;

    /// How many bulk jobs one worker runs at once.
    public int BulkConcurrency => MaxConcurrency - ReservedForInteractive;
}

[OptionsValidator]
public sealed partial class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>;
