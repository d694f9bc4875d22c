namespace Edison.Core.Jobs;

/// <summary>The worker's test-data job types by assembly-qualified name (see <see cref="WorkerJobs"/>).</summary>
public static class DatasetJobs
{
    /// <summary>Runs the rounds of one synthetic generation run.</summary>
    public const string GenerateCases = "Edison.Worker.Jobs.GenerateCasesJob, Edison.Worker";

    /// <summary>Data keys of the dataset jobs.</summary>
    public static class Keys
    {
        /// <summary>The generation run id.</summary>
        public const string GenerationRunId = "generationRunId";
    }
}
