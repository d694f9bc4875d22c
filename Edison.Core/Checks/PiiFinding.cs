namespace Edison.Core.Checks;

/// <summary>
/// One piece of personal data found in a text: its <see cref="PiiKinds">kind</see>, where it is, and a masked form
/// that keeps only its last four characters (separators left out), safe to show and store.
/// </summary>
public sealed record PiiFinding(string Kind, int Index, int Length, string Masked);
