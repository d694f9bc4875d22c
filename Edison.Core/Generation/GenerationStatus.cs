namespace Edison.Core.Generation;

/// <summary>The states of a generation run.</summary>
public static class GenerationStatus
{
    /// <summary>Scheduled, not started.</summary>
    public const string Pending = "pending";

    /// <summary>Generating rounds.</summary>
    public const string Running = "running";

    /// <summary>Done generating; cases wait for accept/edit/discard.</summary>
    public const string Review = "review";

    /// <summary>The accepted cases joined a dataset.</summary>
    public const string Completed = "completed";

    /// <summary>Cancelled by a person; no case joined a dataset.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The model failed; the error says why.</summary>
    public const string Failed = "failed";
}
