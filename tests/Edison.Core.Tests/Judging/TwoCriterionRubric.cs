using Edison.Core.Experiments;

namespace Edison.Core.Tests.Judging;

internal static class TwoCriterionRubric
{
    public static Rubric Create() => new(
    [
        new RubricCriterion("Correctness", "Facts are right.", 0.75, 1, 5, new Dictionary<int, string> { [1] = "Wrong", [5] = "Right" }),
        new RubricCriterion("Tone", "Polite and clear.", 0.25, 1, 3, new Dictionary<int, string> { [1] = "Rude", [3] = "Kind" }),
    ]);
}
