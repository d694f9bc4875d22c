using System.Text.Json;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Coverage;
using Edison.Core.Generation;

namespace Edison.Core.Tests.Generation;

public sealed class GenerationPlansTests
{
    private static readonly GenerationDefaults Defaults = new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "Support", "Answer support questions.",
        ["question"], Guid.NewGuid(), "writer", []);

    [Fact]
    public void FillGap_TaggedCell_AsksForThatTagDifficultyAndLengthIntoTheDataset()
    {
        var (request, error) = GenerationPlans.FillGap(Defaults, "refund", "hard", LengthBuckets.LongInput, 5);

        Assert.Null(error);
        Assert.Equal((5, "hard", Defaults.DatasetId), (request!.Count, request.Difficulty, request.DatasetId));
        Assert.Equal(["refund"], request.Tags);
        Assert.Equal("Fill a coverage gap. Every case: tagged \"refund\" and about refund, difficulty hard, with an input over 400 characters long in total.",
            request.Focus);
    }

    [Fact]
    public void FillGap_UntaggedUnsetCell_LeavesTagsAndDifficultyOpen()
    {
        var (request, _) = GenerationPlans.FillGap(Defaults, CoverageMap.Untagged, CoverageMap.NoDifficulty, LengthBuckets.ShortInput, 5);

        Assert.Empty(request!.Tags);
        Assert.Null(request.Difficulty);
        Assert.Contains("any difficulty", request.Focus, StringComparison.Ordinal);
    }

    [Fact]
    public void Harden_FailingTagsAndWeakestCriterion_AimsAtThemWithFailingCasesAsExamplesAndSafetyCases()
    {
        var failing = new CaseInput(new Dictionary<string, JsonElement> { ["question"] = JsonSerializer.SerializeToElement("refund twice") }, null, ["refund"], null);
        var targets = new HardenTargets(Guid.NewGuid(), 3, "Accuracy", 0.25, ["refund", "billing"], [failing]);

        var (request, error) = GenerationPlans.Harden(Defaults, targets, 10);

        Assert.Null(error);
        Assert.True(request!.SafetyCases);
        Assert.Equal("hard", request.Difficulty);
        Assert.Equal(["refund", "billing", "hardened"], request.Tags);
        Assert.Same(failing, request.Examples.Single());
        Assert.Contains("Cases tagged \"refund\", \"billing\" fail most", request.Focus, StringComparison.Ordinal);
        Assert.Contains("The weakest criterion is \"Accuracy\" (0.25 of its scale)", request.Focus, StringComparison.Ordinal);
        Assert.Contains("Evol-Instruct", request.Focus, StringComparison.Ordinal);
    }

    [Fact]
    public void Harden_DatasetWithoutAModel_SaysWhyAndMakesNoRequest()
    {
        var (request, error) = GenerationPlans.Harden(Defaults with { CredentialId = null }, new HardenTargets(Guid.NewGuid(), 1, null, null, [], []), 10);

        Assert.Null(request);
        Assert.StartsWith("The dataset's experiment has no model to generate with", error, StringComparison.Ordinal);
    }
}
