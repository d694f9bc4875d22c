namespace Edison.Core.Runs;

/// <summary>
/// The iteration state machine's states, as stored in iterations.status. Only <see cref="IterationLifecycle"/> writes them;
/// everything else reads them through these names.
/// </summary>
public static class IterationStatus
{
    /// <summary>Created; waiting for a worker.</summary>
    public const string Pending = "pending";

    /// <summary>Running the prompt on every case with every model.</summary>
    public const string Executing = "executing";

    /// <summary>Judges scoring every output.</summary>
    public const string Judging = "judging";

    /// <summary>
    /// Judging ended with verdicts too few to score on (fewer than half valid, or fewer scored cases than the validation split
    /// needs): nothing is aggregated, refined or reviewed until a person acts.
    /// </summary>
    public const string JudgingFailed = "judging_failed";

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

    /// <summary>
    /// The states after which no more work happens: the one definition, passed to SQL as a parameter
    /// (<c>status &lt;&gt; ALL (@terminal)</c>) wherever a query needs it.
    /// </summary>
    public static IReadOnlyList<string> Terminal { get; } = [Completed, Failed, Cancelled];

    /// <summary>Every state an iteration can be in; a new state is added here and to the database's check constraint.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Pending, Executing, Judging, JudgingFailed, Aggregating, Refining, Reviewing, Completed, Failed, Cancelled];

    /// <summary>The states in which work still happens (every state not in <see cref="Terminal"/>).</summary>
    public static IReadOnlyList<string> Unfinished { get; } = All.Except(Terminal).ToArray();

    /// <summary>Whether no more work will happen.</summary>
    public static bool IsTerminal(string status) => Terminal.Contains(status);

    /// <summary>The terminal states as an array for a Dapper parameter (a PostgreSQL text[]).</summary>
    internal static string[] TerminalArray => [.. Terminal];
}
