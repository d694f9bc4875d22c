namespace Edison.Core.ClosedLoop;

/// <summary>A stop rule that fired, in words, with the numbers that fired it.</summary>
public sealed record StopDecision(string Rule, string Reason, IReadOnlyDictionary<string, double> Numbers);
