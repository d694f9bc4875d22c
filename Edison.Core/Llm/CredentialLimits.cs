namespace Edison.Core.Llm;

/// A credential's provider quota; null means unlimited.
internal sealed record CredentialLimits(int? RequestsPerMinute, int? TokensPerMinute);
