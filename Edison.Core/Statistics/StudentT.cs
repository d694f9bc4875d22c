namespace Edison.Core.Statistics;

/// <summary>Student's t distribution: its CDF through the regularized incomplete beta function, and its quantile by bisection.</summary>
public static class StudentT
{
    /// <summary>The <paramref name="p"/> quantile of t with <paramref name="degreesOfFreedom"/> (> 0, fractional allowed).</summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        if (!(p is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must be strictly between 0 and 1.");
        }

        if (!(degreesOfFreedom > 0) || double.IsInfinity(degreesOfFreedom))
        {
            throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "The degrees of freedom must be positive and finite.");
        }

        if (p < 0.5)
        {
            return -Quantile(1 - p, degreesOfFreedom);
        }

        // The t quantile is at least the normal one; double the upper end until it brackets p, then bisect.
        var low = 0.0;
        var high = Math.Max(1, NormalQuantile.Of(p));
        while (Cdf(high, degreesOfFreedom) < p && high < 1e12)
        {
            low = high;
            high *= 2;
        }

        for (var i = 0; i < 200 && high - low > 1e-12 * Math.Max(1, high); i++)
        {
            var mid = (low + high) / 2;
            if (Cdf(mid, degreesOfFreedom) < p)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>P(T ≤ <paramref name="t"/>) for t with <paramref name="degreesOfFreedom"/>.</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        var x = degreesOfFreedom / (degreesOfFreedom + (t * t));
        var tail = 0.5 * RegularizedIncompleteBeta(degreesOfFreedom / 2, 0.5, x);
        return t >= 0 ? 1 - tail : tail;
    }

    // I_x(a, b) by the continued fraction (modified Lentz), using the symmetry relation where it converges faster.
    private static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(a, b, x) / a
            : 1 - (front * ContinuedFraction(b, a, 1 - x) / b);
    }

    private static double ContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        var c = 1.0;
        var d = 1 - ((a + b) * x / (a + 1));
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 300; m++)
        {
            var m2 = 2 * m;
            var numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + (numerator * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (numerator / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + (numerator * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (numerator / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    // Lanczos approximation (g = 7, n = 9), accurate to about 1e-15 for positive arguments.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    private static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
