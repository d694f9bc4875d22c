namespace Edison.Core.Accounts;

/// <summary>Instance-wide settings the owner controls.</summary>
/// <param name="IsSetUp">Whether the first-run setup has created the instance owner.</param>
/// <param name="PublicSignUp">Whether anyone may create an account without an invitation.</param>
public sealed record InstanceSettings(bool IsSetUp, bool PublicSignUp);
