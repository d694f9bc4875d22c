using Edison.Core.Experiments;
using Edison.Core.Judging;
using Edison.Core.Statistics;

namespace Edison.Core.Runs.Aggregation;

/// <summary>
/// Turns an iteration's outputs and verdicts into its statistics. Pure: the same rows and seed give the same figures.
/// The jury's score per criterion is the combination of the valid verdicts; an output with fewer than half its judges valid
/// is "insufficient" and left out; every bootstrap resamples cases, so all samples, judges and models of a case move together.
/// </summary>
public static class IterationStatistics
{
    /// <summary>The number of resamples (B) of every bootstrap and permutation test.</summary>
    public const int Resamples = 2000;

    /// <summary>The seed of every resampling.</summary>
    public const int Seed = 20261126;

    /// <summary>Computes the iteration's metrics.</summary>
    public static IterationMetrics Compute(IReadOnlyList<ScoredOutput> outputs, IReadOnlyList<JudgeScore> verdicts,
        IReadOnlyList<PairVerdict> pairs, Rubric rubric, JuryAggregation aggregation, int llmJudges,
        IReadOnlyDictionary<Guid, string>? versionOfOutput = null, IReadOnlyList<ScoredOutput>? parentOutputs = null,
        bool humanRatingsJoinScore = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(rubric);
        var byOutput = verdicts.ToLookup(v => v.OutputId);
        var jury = new Dictionary<Guid, JuryResult>();
        var modelJury = new Dictionary<Guid, JuryResult>();
        var insufficient = 0;
        foreach (var output in outputs.Where(o => o.Status == "succeeded"))
        {
            var all = byOutput[output.OutputId].ToList();
            var models = Jury(all, rubric, aggregation, llmJudges, humansJoin: false);
            if (models is not null)
            {
                modelJury[output.OutputId] = models;
            }

            // A human rating is one more juror only when the experiment says so; otherwise it is shown beside the jury.
            var result = humanRatingsJoinScore ? Jury(all, rubric, aggregation, llmJudges, humansJoin: true) : models;
            if (result is null)
            {
                insufficient++;
                continue;
            }

            jury[output.OutputId] = result with { Flagged = result.Flagged || output.PiiFlags.Count > 0 };
        }

        var scored = outputs.Where(o => jury.ContainsKey(o.OutputId)).ToList();
        var perCase = scored.GroupBy(o => o.CaseId).ToDictionary(g => g.Key, g => g.Select(o => jury[o.OutputId].Composite).ToList());
        var (compositeMin, compositeMax) = CompositeScale(rubric);
        var overall = ScoreInterval.Mean(perCase.Values.Select(v => v.Average()).ToList(), compositeMin, compositeMax);

        var perModel = outputs.GroupBy(o => o.Model).Select(g =>
        {
            var ci = CaseMean(g.Where(o => jury.ContainsKey(o.OutputId)), o => jury[o.OutputId].Composite, compositeMin, compositeMax);
            return new ModelMetrics(g.Key, Finite(ci.Estimate), Finite(ci.Low), Finite(ci.High), ci.N, g.Count(o => o.Status == "failed"));
        }).ToList();

        var perCriterion = rubric.Criteria.Select(c =>
        {
            var ci = CaseMean(scored, o => jury[o.OutputId].Criteria[c.Name], c.ScaleMin, c.ScaleMax);
            var (alpha, low, high) = JudgeAgreement(scored, byOutput, c.Name, humans: false);
            var human = HumanAgreement(outputs, byOutput, modelJury, c.Name);
            return new CriterionMetrics(c.Name, Finite(ci.Estimate), Finite(ci.Low), Finite(ci.High), ci.N, alpha, low, high, human);
        }).ToList();

        var facets = new List<FacetMetrics>();
        foreach (var split in scored.Select(o => o.Split).Distinct().Order(StringComparer.Ordinal))
        {
            facets.Add(Facet("split", split, scored.Where(o => o.Split == split), jury, compositeMin, compositeMax));
        }

        foreach (var tag in scored.SelectMany(o => o.Tags).Distinct().Order(StringComparer.Ordinal))
        {
            facets.Add(Facet("tag", tag, scored.Where(o => o.Tags.Contains(tag)), jury, compositeMin, compositeMax));
        }

        foreach (var difficulty in scored.Where(o => o.Difficulty is not null).Select(o => o.Difficulty!).Distinct().Order(StringComparer.Ordinal))
        {
            facets.Add(Facet("difficulty", difficulty, scored.Where(o => o.Difficulty == difficulty), jury, compositeMin, compositeMax));
        }

        var flagged = scored.Count(o => jury[o.OutputId].Flagged);
        var flagRate = scored.Count == 0 ? null : ToRate(BootstrapProportion.Wilson(flagged, scored.Count), flagged, scored.Count);
        var succeeded = outputs.Where(o => o.Status == "succeeded").ToList();

        return new IterationMetrics
        {
            MeanScore = Finite(overall.Estimate),
            CiLow = Finite(overall.Low),
            CiHigh = Finite(overall.High),
            N = overall.N,
            FailedOutputs = outputs.Count(o => o.Status == "failed"),
            FailedJudgments = verdicts.Count(v => !v.Succeeded) + pairs.Count(p => !p.Succeeded),
            InsufficientOutputs = insufficient,
            TruncatedOutputs = outputs.Count(o => o.Truncated),
            PerModel = perModel,
            PerCriterion = perCriterion,
            Facets = facets,
            FlagRate = flagRate,
            LatencyMs = Pair(succeeded.Select(o => (double)o.LatencyMs).ToList()),
            CostPerOutputUsd = Pair(succeeded.Select(o => (double)o.CostUsd).ToList()),
            OutputTokens = Pair(succeeded.Select(o => (double)o.OutputTokens).ToList()),
            PairwiseModels = BradleyTerryOf(pairs, outputs, o => o.Model, sameVersionOnly: true, versionOfOutput),
            PairwiseVersions = versionOfOutput is null ? [] : BradleyTerryOf(pairs, [.. outputs, .. parentOutputs ?? []],
                o => versionOfOutput[o.OutputId], sameVersionOnly: false, versionOfOutput),
            CaseScores = perCase.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.Average(), 6)),
            CaseFlagRates = scored.GroupBy(o => o.CaseId).ToDictionary(g => g.Key, g => g.Average(o => jury[o.OutputId].Flagged ? 1.0 : 0.0)),
            CaseSplits = outputs.GroupBy(o => o.CaseId).ToDictionary(g => g.Key, g => g.First().Split),
            HumanRatings = HumanRatingsOf(succeeded, byOutput, modelJury, rubric, humanRatingsJoinScore),
            MeanCostPerOutputUsd = succeeded.Count == 0 ? 0 : (double)succeeded.Average(o => o.CostUsd),
            Seed = Seed,
            Resamples = Resamples,
        };
    }

    /// <summary>
    /// The jury's result for one output, or null when fewer than half its LLM judges returned a valid verdict. Human ratings
    /// are jurors only with <paramref name="humansJoin"/> (the experiment's <c>humanRatingsJoinScore</c>); then a rated output counts.
    /// </summary>
    internal static JuryResult? Jury(IReadOnlyList<JudgeScore> verdicts, Rubric rubric, JuryAggregation aggregation, int llmJudges, bool humansJoin)
    {
        var llmValid = verdicts.Count(v => !v.IsHuman && v.Succeeded);
        var valid = verdicts.Where(v => v.Succeeded && (humansJoin || !v.IsHuman)).ToList();
        if (!JuryScore.IsSufficient(llmValid, llmJudges) && !valid.Any(v => v.IsHuman))
        {
            return null;
        }

        var criteria = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var c in rubric.Criteria)
        {
            var scores = valid.Select(v => ScoreOf(v, c.Name)).OfType<int>().Select(s => (double)s).ToList();
            if (JuryScore.Combine(scores, aggregation) is not { } combined)
            {
                return null;
            }

            criteria[c.Name] = combined;
        }

        var totalWeight = rubric.Criteria.Sum(c => c.Weight);
        var composite = rubric.Criteria.Sum(c => c.Weight * criteria[c.Name]) / totalWeight;
        return new JuryResult(composite, criteria, valid.Any(v => v.SafetyFlags.Count > 0));
    }

    /// <summary>The rubric's composite scale range (weighted), the unit of the minimum effect.</summary>
    public static double ScaleRange(Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        return rubric.Criteria.Sum(c => c.Weight * (c.ScaleMax - c.ScaleMin)) / rubric.Criteria.Sum(c => c.Weight);
    }

    private static int? ScoreOf(JudgeScore verdict, string criterion) =>
        verdict.Scores.FirstOrDefault(s => string.Equals(s.Key, criterion, StringComparison.OrdinalIgnoreCase)) is { Key: not null } kv
            ? kv.Value
            : null;

    /// <summary>The composite's scale: the weighted means of the criteria's minimum and maximum.</summary>
    public static (double Min, double Max) CompositeScale(Rubric rubric)
    {
        ArgumentNullException.ThrowIfNull(rubric);
        var weight = rubric.Criteria.Sum(c => c.Weight);
        return (rubric.Criteria.Sum(c => c.Weight * c.ScaleMin) / weight, rubric.Criteria.Sum(c => c.Weight * c.ScaleMax) / weight);
    }

    // Every output of a case moves with its case: the interval is over case means (see ScoreInterval for the method).
    private static ConfidenceInterval CaseMean(IEnumerable<ScoredOutput> outputs, Func<ScoredOutput, double> value, double scaleMin, double scaleMax) =>
        ScoreInterval.Mean(outputs.GroupBy(o => o.CaseId).Select(g => g.Select(value).Average()).ToList(), scaleMin, scaleMax);

    private static FacetMetrics Facet(string facet, string value, IEnumerable<ScoredOutput> outputs, Dictionary<Guid, JuryResult> jury,
        double scaleMin, double scaleMax)
    {
        var ci = CaseMean(outputs, o => jury[o.OutputId].Composite, scaleMin, scaleMax);
        return new FacetMetrics(facet, value, Finite(ci.Estimate), Finite(ci.Low), Finite(ci.High), ci.N);
    }

    // Units are outputs, coders are the LLM judges: how consistently the jury reads the rubric.
    private static (double? Alpha, double? Low, double? High) JudgeAgreement(IReadOnlyList<ScoredOutput> scored, ILookup<Guid, JudgeScore> byOutput,
        string criterion, bool humans)
    {
        var judges = scored.SelectMany(o => byOutput[o.OutputId]).Where(v => v.IsHuman == humans && v.Succeeded).Select(v => v.Judge)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (judges.Count < 2)
        {
            return (null, null, null);
        }

        var units = scored.Select(o =>
        {
            var verdicts = byOutput[o.OutputId].Where(v => v.Succeeded).ToDictionary(v => v.Judge, v => ScoreOf(v, criterion), StringComparer.Ordinal);
            return (IReadOnlyList<double?>)judges.Select(j => verdicts.GetValueOrDefault(j) is { } s ? (double?)s : null).ToList();
        }).ToList();
        var ci = KrippendorffAlpha.ComputeWithCi(units, KrippendorffLevel.Ordinal, Resamples, Seed);
        return (Finite(ci.Estimate), Finite(ci.Low), Finite(ci.High));
    }

    // Where people rated, the model jury (rounded) and each person's mean rating are two coders of the same unit.
    private static double? HumanAgreement(IReadOnlyList<ScoredOutput> outputs, ILookup<Guid, JudgeScore> byOutput,
        Dictionary<Guid, JuryResult> jury, string criterion)
    {
        var units = outputs.Where(o => jury.ContainsKey(o.OutputId))
            .Select(o => (Jury: jury[o.OutputId], Humans: byOutput[o.OutputId].Where(v => v.IsHuman && v.Succeeded).Select(v => ScoreOf(v, criterion))
                .OfType<int>().ToList()))
            .Where(x => x.Humans.Count > 0)
            .Select(x => (IReadOnlyList<double?>)[Math.Round(x.Jury.Criteria[criterion]), x.Humans.Average()])
            .ToList();
        return units.Count < 2 ? null : Finite(KrippendorffAlpha.Compute(units, KrippendorffLevel.Ordinal));
    }

    // People's ratings beside the model jury: how many outputs they rated, their composite's mean over cases with its interval
    // (none below 2 cases), and their agreement with the model jury on the outputs both scored (none below 2 such outputs).
    private static HumanRatingMetrics HumanRatingsOf(List<ScoredOutput> succeeded, ILookup<Guid, JudgeScore> byOutput,
        Dictionary<Guid, JuryResult> modelJury, Rubric rubric, bool joinScore)
    {
        var totalWeight = rubric.Criteria.Sum(c => c.Weight);
        var rated = new List<(ScoredOutput Output, double Composite)>();
        foreach (var output in succeeded)
        {
            var humans = byOutput[output.OutputId].Where(v => v.IsHuman && v.Succeeded).ToList();
            var means = rubric.Criteria.Select(c => humans.Select(v => ScoreOf(v, c.Name)).OfType<int>().Select(s => (double)s).ToList()).ToList();
            if (humans.Count == 0 || means.Any(m => m.Count == 0))
            {
                continue;
            }

            rated.Add((output, rubric.Criteria.Select((c, i) => c.Weight * means[i].Average()).Sum() / totalWeight));
        }

        var (compositeMin, compositeMax) = CompositeScale(rubric);
        var ci = ScoreInterval.Mean(rated.GroupBy(r => r.Output.CaseId).Select(g => g.Average(r => r.Composite)).ToList(), compositeMin, compositeMax);
        var both = rated.Where(r => modelJury.ContainsKey(r.Output.OutputId))
            .Select(r => (IReadOnlyList<double?>)[modelJury[r.Output.OutputId].Composite, r.Composite]).ToList();
        return new HumanRatingMetrics(rated.Count, succeeded.Count, Finite(ci.Estimate), ci.N < 2 ? null : Finite(ci.Low),
            ci.N < 2 ? null : Finite(ci.High), ci.N, both.Count < 2 ? null : Finite(KrippendorffAlpha.Compute(both, KrippendorffLevel.Interval)),
            both.Count, joinScore);
    }

    private static IReadOnlyList<BradleyTerryStrength> BradleyTerryOf(IReadOnlyList<PairVerdict> pairs, IReadOnlyList<ScoredOutput> outputs,
        Func<ScoredOutput, string> item, bool sameVersionOnly, IReadOnlyDictionary<Guid, string>? versionOfOutput)
    {
        var byId = outputs.ToDictionary(o => o.OutputId);
        var outcomes = new List<BradleyTerryOutcome>();
        foreach (var pair in pairs.Where(p => p.Succeeded && byId.ContainsKey(p.Shown1) && byId.ContainsKey(p.Shown2))
                     .GroupBy(p => (p.Judge, Low: Min(p.Shown1, p.Shown2), High: Max(p.Shown1, p.Shown2))))
        {
            var x = byId[pair.Key.Low];
            var y = byId[pair.Key.High];
            var sameVersion = versionOfOutput is null || versionOfOutput[x.OutputId] == versionOfOutput[y.OutputId];
            if (sameVersion != sameVersionOnly || pair.Count() != 2 || item(x) == item(y))
            {
                continue;
            }

            var orders = pair.ToList();
            var winner = PairwiseWinner.Combine(x.OutputId, y.OutputId, (orders[0].Shown1, orders[0].Winner!), (orders[1].Shown1, orders[1].Winner!));
            var scoreX = winner is null ? 0.5 : winner == x.OutputId ? 1.0 : 0.0;
            outcomes.Add(new BradleyTerryOutcome(x.CaseId.ToString(), item(x), item(y), scoreX));
        }

        return outcomes.Count == 0 ? [] : BradleyTerry.Fit(outcomes, Resamples, Seed);
    }

    private static Guid Min(Guid a, Guid b) => a.CompareTo(b) <= 0 ? a : b;

    private static Guid Max(Guid a, Guid b) => a.CompareTo(b) <= 0 ? b : a;

    private static PercentilePair? Pair(List<double> values) =>
        values.Count == 0 ? null : new PercentilePair(Math.Round(Percentiles.Of(values, 0.5), 6), Math.Round(Percentiles.Of(values, 0.95), 6));

    private static RateMetrics ToRate(ConfidenceInterval ci, int count, int n) => new(ci.Estimate, ci.Low, ci.High, count, n);

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}

/// <summary>The jury's combined result for one output.</summary>
internal sealed record JuryResult(double Composite, IReadOnlyDictionary<string, double> Criteria, bool Flagged);
