namespace Edison.Core.Security;

/// <summary>The file formats the audit log exports to.</summary>
public enum AuditExportFormat
{
    /// <summary>RFC 4180 CSV with a header row; before/after as their JSON text.</summary>
    Csv,

    /// <summary>One JSON object per line; before/after as JSON values.</summary>
    JsonLines,
}
