using Edison.Core.Generation;
using Edison.Core.Jobs;
using Quartz;

namespace Edison.Worker.Jobs;

internal sealed class GenerateCasesJob(GenerationService generation, ILogger<GenerateCasesJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => JobRunner.RunAsync(context, logger,
        ct => generation.RunAsync(context.GetGuid(DatasetJobs.Keys.GenerationRunId), ct), cancellationToken);
}
