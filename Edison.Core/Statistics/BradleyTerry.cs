namespace Edison.Core.Statistics;

/// <summary>Bradley–Terry strengths from pairwise judgements, fitted by Hunter's (2004) MM algorithm.</summary>
public static class BradleyTerry
{
    /// <summary>
    /// The virtual games each item plays against a fixed pseudo-opponent of strength 1 (e<sup>0</sup>), scored as a tie: half a
    /// win and half a loss. This keeps an undefeated (or winless) item finite and an item never compared at 0, and shrinks
    /// strengths towards each other only slightly once items have a few real comparisons.
    /// </summary>
    public const double PriorGames = 1;

    private const int MaxIterations = 10_000;
    private const double Tolerance = 1e-10;

    /// <summary>
    /// Log-strengths (mean 0 over items) with percentile intervals from resampling <see cref="BradleyTerryOutcome.CaseKey"/>s with
    /// replacement, all outcomes of one case moving together. Ties count as half a win for each side. Regularised by
    /// <see cref="PriorGames"/>. Ordered strongest first, then by item name (ordinal).
    /// </summary>
    public static IReadOnlyList<BradleyTerryStrength> Fit(IReadOnlyList<BradleyTerryOutcome> outcomes, int resamples = 2000, int seed = 12345, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confidence, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        var (items, cases) = Index(outcomes);
        if (items.Length == 0)
        {
            return [];
        }

        var all = Enumerable.Range(0, cases.Length).ToArray();
        var strengths = Solve(items.Length, cases, all, PriorGames, new double[items.Length]);
        var replicates = new double[items.Length][];
        for (var i = 0; i < items.Length; i++)
        {
            replicates[i] = new double[resamples];
        }

        var random = new Random(seed);
        var picks = new int[cases.Length];
        for (var r = 0; r < resamples; r++)
        {
            for (var c = 0; c < picks.Length; c++)
            {
                picks[c] = random.Next(cases.Length);
            }

            // Each replicate starts from the full-data fit, which it is usually close to.
            var replicate = Solve(items.Length, cases, picks, PriorGames, strengths);
            for (var i = 0; i < items.Length; i++)
            {
                replicates[i][r] = replicate[i];
            }
        }

        var wins = new double[items.Length];
        var comparisons = new int[items.Length];
        foreach (var game in cases.SelectMany(c => c))
        {
            wins[game.A] += game.ScoreA;
            wins[game.B] += 1 - game.ScoreA;
            comparisons[game.A]++;
            comparisons[game.B]++;
        }

        var tail = (1 - confidence) / 2;
        return Enumerable.Range(0, items.Length)
            .Select(i =>
            {
                Array.Sort(replicates[i]);
                return new BradleyTerryStrength(
                    items[i],
                    strengths[i],
                    Bootstrap.Percentile(replicates[i], tail),
                    Bootstrap.Percentile(replicates[i], 1 - tail),
                    wins[i],
                    comparisons[i]);
            })
            .OrderByDescending(s => s.Strength)
            .ThenBy(s => s.Item, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Point log-strengths (mean 0) without an interval, with a chosen number of <paramref name="priorGames"/> against the
    /// pseudo-opponent. With 0 this is the plain maximum-likelihood fit, which exists only when every item has both a win and a
    /// loss in a connected comparison graph; otherwise the result is meaningless (infinite, NaN or very large).
    /// </summary>
    public static IReadOnlyDictionary<string, double> FitStrengths(IReadOnlyList<BradleyTerryOutcome> outcomes, double priorGames = PriorGames)
    {
        if (!(priorGames >= 0) || double.IsPositiveInfinity(priorGames))
        {
            throw new ArgumentOutOfRangeException(nameof(priorGames), priorGames, "The prior must be a finite, non-negative number of games.");
        }

        var (items, cases) = Index(outcomes);
        var strengths = Solve(items.Length, cases, Enumerable.Range(0, cases.Length).ToArray(), priorGames, new double[items.Length]);
        return Enumerable.Range(0, items.Length).ToDictionary(i => items[i], i => strengths[i], StringComparer.Ordinal);
    }

    private static (string[] Items, Game[][] Cases) Index(IReadOnlyList<BradleyTerryOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome, nameof(outcomes));
            if (string.Equals(outcome.A, outcome.B, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Item '{outcome.A}' is compared with itself in case '{outcome.CaseKey}'.", nameof(outcomes));
            }

            if (!(outcome.ScoreA is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(outcomes), outcome.ScoreA, $"ScoreA must be between 0 and 1 (case '{outcome.CaseKey}').");
            }
        }

        var items = outcomes.SelectMany(o => new[] { o.A, o.B }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var position = items.Select((item, i) => (item, i)).ToDictionary(x => x.item, x => x.i, StringComparer.Ordinal);
        var cases = outcomes
            .GroupBy(o => o.CaseKey, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Select(o => new Game(position[o.A], position[o.B], o.ScoreA)).ToArray())
            .ToArray();
        return (items, cases);
    }

    private static double[] Solve(int itemCount, Game[][] cases, int[] picks, double priorGames, double[] start)
    {
        var wins = new double[itemCount];
        var games = new double[itemCount, itemCount];
        foreach (var pick in picks)
        {
            foreach (var game in cases[pick])
            {
                wins[game.A] += game.ScoreA;
                wins[game.B] += 1 - game.ScoreA;
                games[game.A, game.B]++;
                games[game.B, game.A]++;
            }
        }

        var gamma = start.Select(Math.Exp).ToArray();
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // MM update γ_i ← W_i / Σ_j n_ij / (γ_i + γ_j), the pseudo-opponent (γ = 1) adding priorGames/2 wins. Each item is
            // updated in place (cyclic MM), which keeps the ascent property.
            var change = 0.0;
            for (var i = 0; i < itemCount; i++)
            {
                var denominator = priorGames / (gamma[i] + 1);
                for (var j = 0; j < itemCount; j++)
                {
                    if (games[i, j] > 0)
                    {
                        denominator += games[i, j] / (gamma[i] + gamma[j]);
                    }
                }

                var numerator = wins[i] + (priorGames / 2);
                var next = denominator > 0 ? numerator / denominator : gamma[i];
                change = Math.Max(change, Math.Abs(Math.Log(next) - Math.Log(gamma[i])));
                gamma[i] = next;
            }

            if (priorGames > 0)
            {
                change = Math.Max(change, ShiftTowardsPrior(gamma));
            }

            if (!(change > Tolerance))
            {
                break;
            }
        }

        var logs = gamma.Select(g => Math.Log(g)).ToArray();
        var mean = logs.Average();
        return logs.Select(l => l - mean).ToArray();
    }

    /// <summary>
    /// Real games fix only the differences between log-strengths; their common level is pinned by the few prior games alone, so
    /// MM crawls along that direction. This exact step solves it: multiply every γ by e^c so that Σ σ(log γ_i + c) = k/2, the
    /// prior's own optimum. Returns |c|.
    /// </summary>
    private static double ShiftTowardsPrior(double[] gamma)
    {
        var total = 0.0;
        for (var step = 0; step < 50; step++)
        {
            var slope = 0.0;
            var curvature = 0.0;
            foreach (var g in gamma)
            {
                var sigma = 1 / (1 + (1 / (g * Math.Exp(total))));
                slope += 0.5 - sigma;
                curvature += sigma * (1 - sigma);
            }

            if (!(curvature > 0))
            {
                break;
            }

            // Damped: far out on the logistic tails the curvature vanishes and a full Newton step would overshoot.
            var delta = Math.Clamp(slope / curvature, -1, 1);
            total += delta;
            if (Math.Abs(delta) < 1e-14)
            {
                break;
            }
        }

        var factor = Math.Exp(total);
        for (var i = 0; i < gamma.Length; i++)
        {
            gamma[i] *= factor;
        }

        return Math.Abs(total);
    }

    private readonly record struct Game(int A, int B, double ScoreA);
}
