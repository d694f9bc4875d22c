namespace Edison.Core.Assist;

/// <summary>The credential and model that answer AI assist in a project.</summary>
public sealed record AssistModelSetting(Guid CredentialId, string Model);
