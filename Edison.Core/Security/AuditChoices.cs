namespace Edison.Core.Security;

/// <summary>The values a project's audit log holds, offered as filter choices.</summary>
public sealed record AuditChoices(IReadOnlyList<string> Users, IReadOnlyList<string> Actions, IReadOnlyList<string> EntityTypes);
