namespace Edison.Core.ReadModels;

/// <summary>Provider calls of one purpose (answer, judge, refiner…) in an iteration so far.</summary>
public sealed record PhaseCost(string Purpose, int Calls, int Failed, decimal CostUsd);
