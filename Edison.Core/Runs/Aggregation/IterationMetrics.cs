using Edison.Core.Statistics;

namespace Edison.Core.Runs.Aggregation;

/// <summary>An iteration's computed statistics, stored as iterations.metrics; every bootstrap names its seed and B.</summary>
public sealed record IterationMetrics
{
    /// <summary>The composite's mean over cases (the jury's weighted score per output, averaged per case).</summary>
    public double? MeanScore { get; init; }

    /// <summary>Lower bound of the 95% bootstrap CI (cases resampled).</summary>
    public double? CiLow { get; init; }

    /// <summary>Upper bound of the 95% bootstrap CI.</summary>
    public double? CiHigh { get; init; }

    /// <summary>Cases with at least one scored output.</summary>
    public int N { get; init; }

    /// <summary>Outputs whose provider call failed.</summary>
    public int FailedOutputs { get; init; }

    /// <summary>Verdicts that failed (excluded from statistics, counted here).</summary>
    public int FailedJudgments { get; init; }

    /// <summary>Outputs with fewer than half their judges valid, left out of statistics.</summary>
    public int InsufficientOutputs { get; init; }

    /// <summary>Outputs cut off by a length limit or content filter.</summary>
    public int TruncatedOutputs { get; init; }

    /// <summary>Per model under test.</summary>
    public IReadOnlyList<ModelMetrics> PerModel { get; init; } = [];

    /// <summary>Per rubric criterion, with judge agreement.</summary>
    public IReadOnlyList<CriterionMetrics> PerCriterion { get; init; } = [];

    /// <summary>Facets: split, tag and difficulty.</summary>
    public IReadOnlyList<FacetMetrics> Facets { get; init; } = [];

    /// <summary>Share of scored outputs with any safety or PII flag.</summary>
    public RateMetrics? FlagRate { get; init; }

    /// <summary>Latency percentiles in milliseconds (p50, p95).</summary>
    public PercentilePair? LatencyMs { get; init; }

    /// <summary>Cost per output percentiles in USD (p50, p95).</summary>
    public PercentilePair? CostPerOutputUsd { get; init; }

    /// <summary>Output-token percentiles (p50, p95).</summary>
    public PercentilePair? OutputTokens { get; init; }

    /// <summary>Bradley–Terry strengths of the models from pairwise verdicts.</summary>
    public IReadOnlyList<BradleyTerryStrength> PairwiseModels { get; init; } = [];

    /// <summary>Bradley–Terry strengths of this version against its parent from pairwise verdicts.</summary>
    public IReadOnlyList<BradleyTerryStrength> PairwiseVersions { get; init; } = [];

    /// <summary>Each case's composite (mean over its outputs), the input to paired comparisons with later versions.</summary>
    public IReadOnlyDictionary<Guid, double> CaseScores { get; init; } = new Dictionary<Guid, double>();

    /// <summary>Each case's share of flagged outputs, for the safety guardrail.</summary>
    public IReadOnlyDictionary<Guid, double> CaseFlagRates { get; init; } = new Dictionary<Guid, double>();

    /// <summary>Each case's split, so comparisons can pick the validation cases.</summary>
    public IReadOnlyDictionary<Guid, string> CaseSplits { get; init; } = new Dictionary<Guid, string>();

    /// <summary>People's ratings beside the model jury; they join the score only when <see cref="HumanRatingMetrics.JoinScore"/>.</summary>
    public HumanRatingMetrics? HumanRatings { get; init; }

    /// <summary>Mean cost per scored output in USD; the selector's tie-breaker.</summary>
    public double MeanCostPerOutputUsd { get; init; }

    /// <summary>The seed of every resampling.</summary>
    public int Seed { get; init; }

    /// <summary>The number of resamples (B).</summary>
    public int Resamples { get; init; }
}

/// <summary>One model's figures.</summary>
public sealed record ModelMetrics(string Model, double? MeanScore, double? CiLow, double? CiHigh, int N, int FailedOutputs);

/// <summary>One criterion's jury mean and how well the judges agreed on it.</summary>
public sealed record CriterionMetrics(string Criterion, double? MeanScore, double? CiLow, double? CiHigh, int N, double? JudgeAlpha,
    double? JudgeAlphaLow, double? JudgeAlphaHigh, double? HumanAlpha);

/// <summary>
/// Human ratings beside the jury: <paramref name="RatedOutputs"/> of <paramref name="Outputs"/> answers rated, the rated composite's
/// mean over <paramref name="N"/> cases (interval only from 2 cases), and Krippendorff's α (interval level) between the model jury's
/// composite and the people's on the <paramref name="BothScored"/> outputs both scored (only from 2). <paramref name="JoinScore"/>:
/// the experiment lets them join the version score as one more juror.
/// </summary>
public sealed record HumanRatingMetrics(int RatedOutputs, int Outputs, double? MeanScore, double? CiLow, double? CiHigh, int N,
    double? JuryAlpha, int BothScored, bool JoinScore);

/// <summary>The composite on a subset of cases: a split, a tag or a difficulty.</summary>
public sealed record FacetMetrics(string Facet, string Value, double? MeanScore, double? CiLow, double? CiHigh, int N);

/// <summary>A proportion with a Wilson interval.</summary>
public sealed record RateMetrics(double Rate, double Low, double High, int Count, int N);

/// <summary>The median and 95th percentile of a figure.</summary>
public sealed record PercentilePair(double P50, double P95);
