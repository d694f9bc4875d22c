using System.Globalization;
using Edison.Core.Experiments;
using Edison.Core.Runs.Aggregation;
using Edison.Core.Statistics;

namespace Edison.Core.ClosedLoop;

/// <summary>The loop's decisions as pure functions: compare with the parent, pick the recommended version, decide to stop.</summary>
public static class LoopRules
{
    /// <summary>
    /// Compares a version's case scores with its parent's on the validation split (all cases when it is empty, or when
    /// <paramref name="allCases"/> asks for the whole golden set, as a scheduled regression run does).
    /// </summary>
    public static VersionComparison Compare(IterationMetrics candidate, IterationMetrics parent, Guid parentIterationId, int parentVersion,
        StopRules rules, double scaleRange, bool allCases = false)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(rules);
        var shared = candidate.CaseScores.Keys.Where(parent.CaseScores.ContainsKey).ToList();
        var validation = allCases ? [] : shared.Where(c => candidate.CaseSplits.GetValueOrDefault(c) == "validation").ToList();
        var split = validation.Count >= 2 ? "validation" : "all";
        var cases = validation.Count >= 2 ? validation : shared;
        cases.Sort();
        var scores = cases.Select(c => (candidate.CaseScores[c], parent.CaseScores[c])).ToList();
        var result = BootstrapPaired.Compare(scores, IterationStatistics.Resamples, rules.Alpha, IterationStatistics.Seed);
        var flags = cases.Select(c => (candidate.CaseFlagRates.GetValueOrDefault(c), parent.CaseFlagRates.GetValueOrDefault(c))).ToList();
        var flagResult = BootstrapPaired.Compare(flags, IterationStatistics.Resamples, rules.Alpha, IterationStatistics.Seed);
        var minEffect = rules.MinEffect * scaleRange;
        var significant = result.N >= 2 && result.PValue < rules.Alpha;
        return new VersionComparison
        {
            ParentIterationId = parentIterationId,
            ParentVersion = parentVersion,
            Split = split,
            N = result.N,
            MeanDifference = Round(result.MeanDifference),
            CiLow = Round(result.CiLow),
            CiHigh = Round(result.CiHigh),
            PValue = Round(result.PValue),
            MinimumDetectableEffect = Round(result.MinimumDetectableEffect),
            MinEffect = Round(minEffect),
            Alpha = rules.Alpha,
            SignificantImprovement = significant && result.MeanDifference >= minEffect,
            SignificantRegression = significant && result.MeanDifference <= -minEffect,
            FlagRateDifference = Round(flagResult.MeanDifference),
            FlagRatePValue = Round(flagResult.PValue),
            FlagRateRose = flagResult.N >= 2 && flagResult.MeanDifference > 0 && flagResult.PValue < rules.Alpha,
            Seed = IterationStatistics.Seed,
            Resamples = IterationStatistics.Resamples,
        };
    }

    /// <summary>
    /// The recommended version: the highest composite on the validation split (all cases when it is empty); versions whose
    /// score lies within the best one's CI tie, and the tie goes to the cheaper prompt per output.
    /// </summary>
    public static Guid? Recommend(IReadOnlyList<(Guid VersionId, IterationMetrics Metrics)> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var scored = versions.Select(v => (v.VersionId, Score: ValidationScore(v.Metrics), v.Metrics.MeanCostPerOutputUsd))
            .Where(v => v.Score.N > 0 && double.IsFinite(v.Score.Estimate)).ToList();
        if (scored.Count == 0)
        {
            return null;
        }

        var best = scored.MaxBy(v => v.Score.Estimate);
        return scored.Where(v => v.Score.Estimate >= best.Score.Low)
            .OrderBy(v => v.MeanCostPerOutputUsd).ThenByDescending(v => v.Score.Estimate).First().VersionId;
    }

    /// <summary>The composite on the validation split, with its case-resampled CI.</summary>
    public static ConfidenceInterval ValidationScore(IterationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var validation = metrics.CaseScores.Where(kv => metrics.CaseSplits.GetValueOrDefault(kv.Key) == "validation").ToList();
        var cases = validation.Count >= 2 ? validation : [.. metrics.CaseScores];
        return BootstrapCases.Mean(cases.OrderBy(kv => kv.Key).Select(kv => (IReadOnlyList<double>)[kv.Value]).ToList(),
            IterationStatistics.Resamples, 0.95, IterationStatistics.Seed);
    }

    /// <summary>
    /// The first stop rule that fires after an iteration, or null to go on. <paramref name="recentComparisons"/> are the
    /// comparisons with the parent of this and earlier iterations, newest first (the first iteration has none).
    /// </summary>
    public static StopDecision? ShouldStop(StopRules rules, int iterationNumber, IReadOnlyList<VersionComparison> recentComparisons,
        decimal spentUsd, long tokens, bool hasRefiner)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(recentComparisons);
        if (rules.BudgetUsd is { } budget && spentUsd >= budget)
        {
            return new StopDecision("budget", Invariant($"The budget of ${budget:0.####} is spent (${spentUsd:0.####})."),
                new Dictionary<string, double> { ["budgetUsd"] = (double)budget, ["spentUsd"] = (double)spentUsd });
        }

        if (rules.MaxTokens is { } maxTokens && tokens >= maxTokens)
        {
            return new StopDecision("max_tokens", Invariant($"{tokens:N0} tokens used, the limit is {maxTokens:N0}."),
                new Dictionary<string, double> { ["maxTokens"] = maxTokens, ["tokens"] = tokens });
        }

        var withoutImprovement = recentComparisons.TakeWhile(c => !c.SignificantImprovement).Count();
        if (withoutImprovement >= rules.Patience)
        {
            var last = recentComparisons[0];
            return new StopDecision("patience", Invariant(
                    $"{withoutImprovement} iteration(s) in a row without a significant improvement of at least {last.MinEffect:0.###} (α {rules.Alpha}); the last changed the score by {last.MeanDifference:+0.###;-0.###;0} (95% CI {last.CiLow:0.###} to {last.CiHigh:0.###}, p = {last.PValue:0.###})."),
                new Dictionary<string, double>
                {
                    ["patience"] = rules.Patience, ["iterationsWithoutImprovement"] = withoutImprovement, ["lastMeanDifference"] = last.MeanDifference,
                    ["lastPValue"] = last.PValue, ["minEffect"] = last.MinEffect, ["alpha"] = rules.Alpha,
                });
        }

        if (iterationNumber >= rules.MaxIterations)
        {
            return new StopDecision("max_iterations", Invariant($"Iteration {iterationNumber} reached the limit of {rules.MaxIterations}."),
                new Dictionary<string, double> { ["maxIterations"] = rules.MaxIterations, ["iteration"] = iterationNumber });
        }

        return hasRefiner
            ? null
            : new StopDecision("no_refiner", "The experiment has no refiner, so there is no next version to try.",
                new Dictionary<string, double> { ["iteration"] = iterationNumber });
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 6) : value;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
