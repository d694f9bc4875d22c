namespace Edison.Core.Llm;

/// <summary>A model's price in USD per million tokens, where it was read and since when it applies.</summary>
public sealed record ModelPrice(string Provider, string Model, decimal InputPerMtok, decimal OutputPerMtok, decimal? CachedInputPerMtok,
    string? Source, DateTime? AsOf, DateTime EffectiveFrom);
