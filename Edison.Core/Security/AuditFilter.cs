namespace Edison.Core.Security;

/// <summary>Which audit rows to show; every field is optional and they combine with AND.</summary>
public sealed record AuditFilter
{
    /// <summary>The acting person's e-mail (case-insensitive, exact).</summary>
    public string? User { get; init; }

    /// <summary>The action, such as <c>api-token.created</c>.</summary>
    public string? Action { get; init; }

    /// <summary>The kind of entity acted on, such as <c>api-token</c>.</summary>
    public string? EntityType { get; init; }

    /// <summary>The first UTC day included.</summary>
    public DateOnly? From { get; init; }

    /// <summary>The last UTC day included.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Text anywhere in the row: action, entity, person, request id or the before/after summaries.</summary>
    public string? Text { get; init; }
}
