using System.Text.Json;
using Edison.Core.Datasets;
using Edison.Core.Generation;
using Edison.Core.Jobs;

namespace Edison.Core.Tests.Generation;

public sealed class CaseDeduplicatorGenerationTests
{
    private static CaseInput Case(string question) => new(new Dictionary<string, JsonElement> { ["question"] = JsonSerializer.SerializeToElement(question) }, null, [], null);

    [Fact]
    public void Add_ExactNormalisedAndNearDuplicates_DroppedWithKindAndTheCaseTheyRepeat()
    {
        const string Long = "my parcel from the spring sale arrived with a cracked lid and the invoice lists two items I never ordered at all";
        var dedup = new CaseDeduplicator();

        var decisions = dedup.Add([Case(Long), Case("How do I reset my password?"), Case(Long), Case("how do i  RESET my password"),
            Case(Long + " yesterday"), Case("Where is the nearest store that sells blue paint?")]);

        Assert.Equal([null, null, DuplicateKind.Exact, DuplicateKind.Normalized, DuplicateKind.Near, null], decisions.Select(d => d.Kind));
        Assert.Equal([null, null, 0, 1, 0, null], decisions.Select(d => d.DuplicateOf));
        Assert.Equal("Exact duplicate of case 1.", decisions[2].Reason);
        Assert.StartsWith("Near-duplicate of case 1 (estimated Jaccard similarity 0.", decisions[4].Reason, StringComparison.Ordinal);
        Assert.Equal(3, dedup.Signatures.Count);
    }

    [Fact]
    public void Similarity_UnrelatedTexts_NearZeroAndIdenticalOne()
    {
        var a = MinHash.Signature("the quick brown fox jumps over the lazy dog today");
        var b = MinHash.Signature("an invoice for three licences was sent to the wrong address");

        Assert.Equal(1.0, MinHash.Similarity(a, MinHash.Signature("The quick, brown fox jumps over the lazy dog today!")));
        Assert.True(MinHash.Similarity(a, b) < 0.1);
        Assert.True(DiversityMeter.MeanPairwiseDistance([a, b]) > 0.9);
        Assert.Equal(150, DiversityMeter.TagsPer100([["a", "b"], ["b", "c"]]));
    }

    [Fact]
    public void Fill_VariablesAskingForRealisticValues_FilledOnlyWhenEmptyOrPlaceholder()
    {
        var filler = new BogusFiller(7);
        var variables = new Dictionary<string, JsonElement>
        {
            ["customer_name"] = JsonSerializer.SerializeToElement(""),
            ["email"] = JsonSerializer.SerializeToElement("{email}"),
            ["order_date"] = JsonSerializer.SerializeToElement("<date>"),
            ["amount"] = JsonSerializer.SerializeToElement("12.50"),
            ["question"] = JsonSerializer.SerializeToElement(""),
        };

        var filled = filler.Fill(variables);

        Assert.Contains(" ", filled["customer_name"].GetString(), StringComparison.Ordinal);
        Assert.Contains("@", filled["email"].GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", filled["order_date"].GetString());
        Assert.Equal("12.50", filled["amount"].GetString());
        Assert.Equal("", filled["question"].GetString());
        Assert.Equal(filled["email"].GetString(), new BogusFiller(7).Fill(variables)["email"].GetString());
    }

    [Fact]
    public void GenerateCases_JobName_ResolvesToAWorkerJob()
    {
        var type = Type.GetType(DatasetJobs.GenerateCases, throwOnError: true)!;

        Assert.Contains(type.GetInterfaces(), i => i.FullName == "Quartz.IJob");
    }
}
