namespace Edison.Core.Statistics;

/// <summary>A point estimate with the bounds of its confidence interval.</summary>
public sealed record ConfidenceInterval(double Estimate, double Low, double High, int N);
