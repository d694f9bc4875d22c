namespace Edison.Core.Projects;

/// <summary>A project as its settings page shows it.</summary>
public sealed record ProjectSummary(Guid Id, string Name, DateTimeOffset CreatedAt, int Experiments, int Datasets, int Members);
