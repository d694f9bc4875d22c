namespace Edison.Core.Runs;

/// <summary>The iteration state machine's states, as stored in iterations.status.</summary>
public static class IterationStatus
{
    /// <summary>Created; waiting for a worker.</summary>
    public const string Pending = "pending";

    /// <summary>Running the prompt on every case with every model.</summary>
    public const string Executing = "executing";

    /// <summary>Judges scoring every output.</summary>
    public const string Judging = "judging";

    /// <summary>Computing statistics.</summary>
    public const string Aggregating = "aggregating";

    /// <summary>The refiner drafting the next version from the judges' advice.</summary>
    public const string Refining = "refining";

    /// <summary>A suggestion waiting for a person (or for autopilot's guardrails).</summary>
    public const string Reviewing = "reviewing";

    /// <summary>Done; results are final.</summary>
    public const string Completed = "completed";

    /// <summary>Stopped by an error that needs a person.</summary>
    public const string Failed = "failed";

    /// <summary>Stopped by a person.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Whether no more work will happen.</summary>
    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled;
}
