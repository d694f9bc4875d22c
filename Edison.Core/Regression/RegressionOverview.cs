namespace Edison.Core.Regression;

/// <summary>Everything the overview page shows about scheduled runs: the schedule, its next run, open alerts and recent runs.</summary>
public sealed record RegressionOverview(RegressionSchedule? Schedule, DateTimeOffset? NextRun, IReadOnlyList<RegressionAlert> OpenAlerts,
    IReadOnlyList<RegressionRunRow> RecentRuns);
