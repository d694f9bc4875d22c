namespace Edison.Core.Jobs;

/// <summary>
/// The worker's job types by assembly-qualified name, so the web app (a Quartz client that does not load the
/// worker assembly) can schedule them. A test asserts each name resolves to a job class in the worker.
/// </summary>
public static class WorkerJobs
{
    /// <summary>Moves an iteration forward from whatever state it is in.</summary>
    public const string AdvanceIteration = "Edison.Worker.Jobs.AdvanceIterationJob, Edison.Worker";

    /// <summary>Runs a chunk of cases through one model.</summary>
    public const string ExecuteChunk = "Edison.Worker.Jobs.ExecuteChunkJob, Edison.Worker";

    /// <summary>Judges a chunk of outputs with one judge.</summary>
    public const string JudgeChunk = "Edison.Worker.Jobs.JudgeChunkJob, Edison.Worker";

    /// <summary>Has the refiner draft the next prompt version of an iteration.</summary>
    public const string RefineIteration = "Edison.Worker.Jobs.RefineIterationJob, Edison.Worker";

    /// <summary>Starts an experiment's scheduled regression run (fired by its cron trigger).</summary>
    public const string RegressionRun = "Edison.Worker.Jobs.RegressionRunJob, Edison.Worker";

    /// <summary>POSTs a regression alert to its experiment's webhook.</summary>
    public const string DeliverWebhook = "Edison.Worker.Jobs.DeliverWebhookJob, Edison.Worker";

    /// <summary>Data keys shared by the jobs.</summary>
    public static class Keys
    {
        /// <summary>The iteration id.</summary>
        public const string IterationId = "iterationId";

        /// <summary>The model run id.</summary>
        public const string ModelRunId = "modelRunId";

        /// <summary>The judge config id.</summary>
        public const string JudgeConfigId = "judgeConfigId";

        /// <summary>The first position (inclusive) of the chunk.</summary>
        public const string From = "from";

        /// <summary>The number of items in the chunk.</summary>
        public const string Count = "count";

        /// <summary>The experiment id.</summary>
        public const string ExperimentId = "experimentId";

        /// <summary>The regression alert id.</summary>
        public const string AlertId = "alertId";
    }
}
