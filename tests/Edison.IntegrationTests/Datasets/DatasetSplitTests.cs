using System.Text;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Import;
using Edison.Core.Datasets.Splits;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Datasets;

public sealed class DatasetSplitTests(StudioFixture fixture) : IClassFixture<StudioFixture>
{
    private static readonly string[] Tags = ["refund", "login", "shipping"];

    private DatasetSplitService Splits => fixture.Services.GetRequiredService<DatasetSplitService>();

    private DatasetReader Reader => fixture.Services.GetRequiredService<DatasetReader>();

    [Fact]
    public async Task StratifyAsync_TaggedDataset_EachTagSplitProportionallyInANewVersionAndRepeatable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var datasetId = await DatasetAsync(cts.Token);

        var first = await Splits.StratifyAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Dataset, datasetId, cts.Token),
            datasetId, seed: 11, cts.Token);
        var again = await Splits.StratifyAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Dataset, datasetId, cts.Token),
            datasetId, seed: 11, cts.Token);

        Assert.Null(first.Error);
        Assert.Equal((2, new SplitCounts(36, 12, 12)), (first.DatasetVersion!.Value, first.Counts));
        Assert.Equal((3, 0), (again.DatasetVersion!.Value, again.Moved));
        var cases = await Reader.GetCasesAsync(datasetId, null, cts.Token);
        foreach (var tag in Tags)
        {
            var ofTag = cases.Where(c => c.Tags[0] == tag).ToList();
            Assert.Equal((12, 4, 4), (ofTag.Count(c => c.Split == "train"), ofTag.Count(c => c.Split == "validation"), ofTag.Count(c => c.Split == "test")));
        }

        var original = await Reader.GetCasesAsync(datasetId, 1, cts.Token);
        Assert.All(original, c => Assert.Equal(1, c.Version));
        Assert.Equal(first.Moved, cases.Count(c => c.Version == 2));
    }

    [Fact]
    public async Task AssignAsync_ManualSplits_MovesOnlyThoseCasesAndCountsThem()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var datasetId = await DatasetAsync(cts.Token);
        var cases = await Reader.GetCasesAsync(datasetId, null, cts.Token);
        var before = await Splits.CountsAsync(datasetId, cts.Token);
        var toTest = cases.Where(c => c.Split != "test").Take(5).ToDictionary(c => c.Id, _ => "test");

        var change = await Splits.AssignAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Dataset, datasetId, cts.Token),
            datasetId, toTest, cts.Token);
        var refused = await Splits.AssignAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Dataset, datasetId, cts.Token),
            datasetId, new Dictionary<Guid, string> { [cases[0].Id] = "holdout" }, cts.Token);

        Assert.Equal((null, 2, 5), (change.Error, change.DatasetVersion, change.Moved));
        Assert.Equal(before.Test + 5, change.Counts.Test);
        Assert.Equal(60, change.Counts.Total);
        Assert.Equal("\"holdout\" is not a split: use train, validation or test.", refused.Error);
        Assert.Equal(2, await Reader.CurrentVersionAsync(datasetId, cts.Token));
    }

    private async Task<Guid> DatasetAsync(CancellationToken cancellationToken)
    {
        var projectId = await fixture.ProjectAsync(cancellationToken);
        var lines = string.Join('\n', Enumerable.Range(0, 60).Select(i =>
            $$"""{"input": {"q": "case {{i}}"}, "tags": ["{{Tags[i % 3]}}"]}"""));
        var result = await fixture.Services.GetRequiredService<DatasetImporter>().CommitAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cancellationToken), projectId, null, null, "tagged",
            new MemoryStream(Encoding.UTF8.GetBytes(lines)), ImportFormat.JsonLines, null, cancellationToken);
        Assert.True(result.Succeeded, result.Error);
        return result.DatasetId!.Value;
    }
}
