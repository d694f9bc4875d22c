using System.Globalization;
using Edison.Core.Experiments;
using Edison.Core.Statistics;

namespace Edison.Core.ClosedLoop;

/// <summary>Whether the review mode lets a suggestion be applied without a person and, when it does not, why in words.</summary>
public static class AutopilotGuard
{
    /// <summary>
    /// Autopilot applies only a significant improvement on the parent, on a validation split that can show one, without a
    /// significant rise in flagged answers; with no parent comparison it never applies. "Only when significant" applies
    /// when the change was not significant either way. Every other mode waits for a person.
    /// </summary>
    public static (bool Apply, string? WaitReason) Decide(string reviewMode, VersionComparison? comparison)
    {
        switch (reviewMode)
        {
            case ReviewModes.Autopilot:
                if (comparison is null)
                {
                    return (false, "Autopilot waits for a person: there is no comparison with a parent version, so nothing shows the change helps.");
                }

                if (SignificanceReach.Warning(comparison.N, comparison.Alpha) is { } reach)
                {
                    return (false, "Autopilot waits for a person. " + reach);
                }

                if (comparison.FlagRateRose)
                {
                    return (false, "Autopilot waits for a person: the share of flagged answers rose significantly.");
                }

                return comparison.SignificantImprovement
                    ? (true, null)
                    : (false, string.Create(CultureInfo.InvariantCulture,
                        $"Autopilot waits for a person: the change is not a significant improvement of at least {comparison.MinEffect:0.###} points (p = {comparison.PValue:0.###}, α {comparison.Alpha:0.###})."));
            case ReviewModes.OnlySignificant:
                return comparison is null || !(comparison.SignificantImprovement || comparison.SignificantRegression)
                    ? (true, null)
                    : (false, null);
            default:
                return (false, null);
        }
    }
}
