namespace Edison.Core.Experiments;

/// <summary>What a judge scores: weighted criteria, each on an integer scale with a label per level.</summary>
public sealed record Rubric(IReadOnlyList<RubricCriterion> Criteria)
{
    /// <summary>A one-criterion rubric on a 1–5 scale with anchored labels.</summary>
    public static Rubric SingleCriterion(string name, string description) => new(
    [
        new RubricCriterion(name, description, 1.0, 1, 5, new Dictionary<int, string>
        {
            [1] = "Fails the goal",
            [2] = "Mostly misses the goal",
            [3] = "Partly meets the goal",
            [4] = "Meets the goal with minor issues",
            [5] = "Fully meets the goal",
        }),
    ]);
}
