namespace Edison.Core.ClosedLoop;

/// <summary>
/// What the loop driver asks once an iteration's statistics exist: whether it was a run that only measures (a scheduled
/// regression run), which ends there instead of being refined. Implemented by the feature that starts such runs, so the loop
/// driver does not depend on it.
/// </summary>
internal interface IMeasuredRunFinisher
{
    /// <summary>Records the run's outcome when the iteration is a measuring run; false when it is not (the loop carries on). Idempotent.</summary>
    Task<bool> FinishAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken);
}
