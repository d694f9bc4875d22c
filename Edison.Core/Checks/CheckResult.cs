namespace Edison.Core.Checks;

/// <summary>The outcome of one check on one output; <see cref="Detail"/> says why, in words for a person.</summary>
public sealed record CheckResult(string Name, string Kind, bool Passed, string Detail);
