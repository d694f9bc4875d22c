namespace Edison.Core.Statistics;

/// <summary>One 0..1 score from several rubric criteria, each on its own scale.</summary>
public static class WeightedComposite
{
    /// <summary>
    /// Σ weight · (score − min) / (max − min) divided by Σ weight, so the result is in 0..1. Null when any criterion has no score
    /// (a partial composite would not be comparable with a full one) or when there are no criteria. A score outside its scale
    /// is a bug upstream, where judge output should have been validated, and throws.
    /// </summary>
    public static double? Of(IReadOnlyDictionary<string, double> scoresByCriterion, IReadOnlyList<(string Name, double Weight, int ScaleMin, int ScaleMax)> criteria)
    {
        ArgumentNullException.ThrowIfNull(scoresByCriterion);
        ArgumentNullException.ThrowIfNull(criteria);
        if (criteria.Count == 0)
        {
            return null;
        }

        var weighted = 0.0;
        var totalWeight = 0.0;
        foreach (var (name, weight, scaleMin, scaleMax) in criteria)
        {
            if (!(weight >= 0) || double.IsPositiveInfinity(weight))
            {
                throw new ArgumentOutOfRangeException(nameof(criteria), weight, $"Criterion '{name}' needs a finite, non-negative weight.");
            }

            if (scaleMax <= scaleMin)
            {
                throw new ArgumentOutOfRangeException(nameof(criteria), $"Criterion '{name}' has scale {scaleMin}..{scaleMax}; the maximum must exceed the minimum.");
            }

            if (!scoresByCriterion.TryGetValue(name, out var score))
            {
                return null;
            }

            if (!(score >= scaleMin && score <= scaleMax))
            {
                throw new ArgumentOutOfRangeException(nameof(scoresByCriterion), score, $"Criterion '{name}' scored outside its scale {scaleMin}..{scaleMax}.");
            }

            weighted += weight * (score - scaleMin) / (scaleMax - scaleMin);
            totalWeight += weight;
        }

        if (totalWeight == 0)
        {
            throw new ArgumentException("At least one criterion needs a positive weight.", nameof(criteria));
        }

        return weighted / totalWeight;
    }
}
