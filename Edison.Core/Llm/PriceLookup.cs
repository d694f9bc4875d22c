namespace Edison.Core.Llm;

/// <summary>A call's cost, and whether the model had a price at all: an unknown price is flagged, not taken as free.</summary>
internal readonly record struct PriceLookup(decimal CostUsd, bool Known);
