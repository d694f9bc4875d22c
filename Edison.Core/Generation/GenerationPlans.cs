using System.Globalization;
using Edison.Core.Datasets.Coverage;

namespace Edison.Core.Generation;

/// <summary>
/// Turns a coverage gap or the latest iteration's weaknesses into a generation request for the dataset: "Fill gap" asks for
/// cases of one tag × difficulty × length cell; "Harden" asks for harder variants of the failing cases (Evol-Instruct's
/// deepening moves) aimed at the failing tags and the weakest criterion, plus safety cases.
/// </summary>
public static class GenerationPlans
{
    /// <summary>The Evol-Instruct moves that make a case harder.</summary>
    public const string EvolMoves = "add a constraint or requirement, deepen the question, replace general terms with concrete details, "
        + "require several reasoning steps, or complicate the input (conflicting facts, missing information, distractions)";

    /// <summary>A request for <paramref name="count"/> cases in one coverage cell, or why none can be made.</summary>
    public static (GenerationRequest? Request, string? Error) FillGap(GenerationDefaults defaults, string tag, string difficulty, string length, int count)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (Missing(defaults) is { } error)
        {
            return (null, error);
        }

        var tagged = tag != CoverageMap.Untagged;
        var exact = difficulty != CoverageMap.NoDifficulty;
        var focus = string.Create(CultureInfo.InvariantCulture,
            $"Fill a coverage gap. Every case: {(tagged ? $"tagged \"{tag}\" and about {tag}" : "on the goal's main task")}, "
            + $"{(exact ? $"difficulty {difficulty}" : "any difficulty")}, with an input {LengthBuckets.Describe(length)} long in total.");
        return (Base(defaults, count) with
        {
            Focus = focus,
            Tags = tagged ? [tag] : [],
            Difficulty = exact ? difficulty : null,
            IncludeEdgeCases = false,
        }, null);
    }

    /// <summary>A request for <paramref name="count"/> hard cases aimed at <paramref name="targets"/>, or why none can be made.</summary>
    public static (GenerationRequest? Request, string? Error) Harden(GenerationDefaults defaults, HardenTargets targets, int count)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(targets);
        if (Missing(defaults) is { } error)
        {
            return (null, error);
        }

        var focus = new List<string> { "Harden the test set: write cases the current prompt is likely to fail." };
        if (targets.FailingTags.Count > 0)
        {
            focus.Add($"Cases tagged {string.Join(", ", targets.FailingTags.Take(5).Select(t => $"\"{t}\""))} fail most: write more of these, "
                + "tagged the same way.");
        }

        if (targets.WeakestCriterion is { } criterion)
        {
            focus.Add(string.Create(CultureInfo.InvariantCulture,
                $"The weakest criterion is \"{criterion}\" ({targets.WeakestMean:0.00} of its scale): make doing well on \"{criterion}\" hard."));
        }

        if (targets.FailingCases.Count > 0)
        {
            focus.Add($"The examples below failed. Write harder variants of them (Evol-Instruct): {EvolMoves}.");
        }

        return (Base(defaults, count) with
        {
            Focus = string.Join(' ', focus),
            Tags = [.. targets.FailingTags.Take(5), "hardened"],
            Difficulty = "hard",
            SafetyCases = true,
            Examples = targets.FailingCases.Count > 0 ? targets.FailingCases.Take(5).ToList() : defaults.Examples,
        }, null);
    }

    private static string? Missing(GenerationDefaults d) =>
        d.CredentialId is null || string.IsNullOrWhiteSpace(d.Model) ? "The dataset's experiment has no model to generate with: use the generation form to pick one."
        : string.IsNullOrWhiteSpace(d.Goal) ? "The dataset has no experiment goal to generate from: use the generation form and write one."
        : d.Variables.Count == 0 ? "The dataset has no template variables to fill: use the generation form and name them."
        : null;

    private static GenerationRequest Base(GenerationDefaults d, int count) => new()
    {
        ProjectId = d.ProjectId,
        ExperimentId = d.ExperimentId,
        DatasetId = d.DatasetId,
        CredentialId = d.CredentialId!.Value,
        Model = d.Model!,
        Goal = d.Goal,
        Variables = d.Variables,
        Count = count,
        Examples = d.Examples,
    };
}
