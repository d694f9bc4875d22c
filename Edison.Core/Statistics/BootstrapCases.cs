namespace Edison.Core.Statistics;

/// <summary>Cluster bootstrap: a case's samples, judges and models move together when cases are resampled.</summary>
public static class BootstrapCases
{
    /// <summary>
    /// The mean over cases of each case's mean, with a percentile interval from resampling whole cases with replacement.
    /// Cases without values are skipped and N counts the cases that remain; none gives a NaN estimate with N = 0.
    /// </summary>
    public static ConfidenceInterval Mean(IReadOnlyList<IReadOnlyList<double>> valuesPerCase, int resamples = 2000, double confidence = 0.95, int seed = 12345)
    {
        ArgumentNullException.ThrowIfNull(valuesPerCase);
        var caseMeans = new List<double>(valuesPerCase.Count);
        foreach (var values in valuesPerCase)
        {
            ArgumentNullException.ThrowIfNull(values, nameof(valuesPerCase));
            if (values.Count > 0)
            {
                caseMeans.Add(values.Average());
            }
        }

        // Once each case is reduced to its mean, resampling cases is resampling those means.
        return Bootstrap.Mean(caseMeans, resamples, confidence, seed);
    }
}
