namespace Edison.Core.Statistics;

/// <summary>The level of measurement, which picks Krippendorff's difference function δ².</summary>
public enum KrippendorffLevel
{
    /// <summary>Categories: δ² is 0 for equal values and 1 otherwise.</summary>
    Nominal,

    /// <summary>Ranks: δ² grows with how many observed values lie between two values (uses the marginal frequencies).</summary>
    Ordinal,

    /// <summary>Equal intervals: δ² = (c − k)².</summary>
    Interval,
}
