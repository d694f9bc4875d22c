using System.Globalization;
using Edison.Core.Experiments;

namespace Edison.Web.Pages.Experiments.Wizard;

/// One rubric criterion as the wizard edits it: always on a 1–5 scale, one label per level.
public sealed class CriterionInput
{
    public const int ScaleMin = 1;
    public const int ScaleMax = 5;

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public double Weight { get; set; } = 1;

    public List<string> Labels { get; set; } = ["", "", "", "", ""];

    public static CriterionInput Blank() => From(Rubric.SingleCriterion("", "").Criteria[0]);

    public static CriterionInput From(RubricCriterion criterion)
    {
        ArgumentNullException.ThrowIfNull(criterion);
        return new CriterionInput
        {
            Name = criterion.Name,
            Description = criterion.Description,
            Weight = criterion.Weight,
            Labels = Enumerable.Range(ScaleMin, ScaleMax - ScaleMin + 1).Select(l => criterion.Labels.GetValueOrDefault(l, "")).ToList(),
        };
    }

    public RubricCriterion ToCriterion() => new((Name ?? "").Trim(), (Description ?? "").Trim(), Weight, ScaleMin, ScaleMax,
        Labels.Select((label, i) => (Level: ScaleMin + i, Label: (label ?? "").Trim())).Where(x => x.Label.Length > 0)
            .ToDictionary(x => x.Level, x => x.Label));

    public string WeightText => Weight.ToString("0.###", CultureInfo.InvariantCulture);
}
