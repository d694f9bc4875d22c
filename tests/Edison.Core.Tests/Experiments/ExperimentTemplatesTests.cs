using System.Text.Json;
using System.Text.Json.Nodes;
using Edison.Core.Experiments;

namespace Edison.Core.Tests.Experiments;

public sealed class ExperimentTemplatesTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] RequiredIds = ["customer-support", "summarisation", "json-extraction", "classification"];

    [Fact]
    public void All_EmbeddedTemplates_LoadAtLeastFiveIncludingTheFourTheIssueNames()
    {
        var ids = ExperimentTemplates.All.Select(t => t.Id).ToList();

        Assert.True(ids.Count >= 5, $"Only {ids.Count} templates: {string.Join(", ", ids)}");
        Assert.All(RequiredIds, id => Assert.Contains(id, ids));
    }

    public static TheoryData<string> Ids => new(ExperimentTemplates.All.Select(t => t.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Find_EachTemplate_PrefillsEverythingAWizardStepNeeds(string id)
    {
        var template = ExperimentTemplates.Find(id)!;

        Assert.Empty(ExperimentTemplates.Validate(template));
        Assert.True(template.Version >= 1);
        Assert.True(template.Rubric.Criteria.Count >= 2, "A template's rubric should weigh more than one criterion.");
        Assert.All(template.Rubric.Criteria, c => Assert.Equal(c.ScaleMax - c.ScaleMin + 1, c.Labels.Count));
        Assert.Contains("{{", template.PromptTemplate, StringComparison.Ordinal);
        Assert.True(template.Cases.Count >= ExperimentTemplates.MinCases);
        Assert.All(template.Cases, c => Assert.NotEmpty(c.Tags));
        Assert.NotEmpty(template.Checks);
    }

    [Fact]
    public void Parse_ValidFile_RoundTripsTheTemplate()
    {
        var (template, errors) = ExperimentTemplates.Parse("classification", File("classification", _ => { }));

        Assert.Empty(errors);
        Assert.Equal("classification", template!.Id);
    }

    [Fact]
    public void Parse_IdDifferentFromFileName_IsRefused()
    {
        var (template, errors) = ExperimentTemplates.Parse("renamed", File("classification", _ => { }));

        Assert.Null(template);
        Assert.Contains(errors, e => e.Contains("must equal the file name", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_WeightsNotSummingToOne_SaysSo()
    {
        var (_, errors) = ExperimentTemplates.Parse("classification", File("classification", t => t["rubric"]!["criteria"]![0]!["weight"] = 0.9));

        Assert.Contains(errors, e => e.Contains("weights must sum to 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MissingScaleLabel_NamesTheLevel()
    {
        var (_, errors) = ExperimentTemplates.Parse("classification",
            File("classification", t => t["rubric"]!["criteria"]![0]!["labels"]!.AsObject().Remove("3")));

        Assert.Contains(errors, e => e.Contains("missing 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TooFewCases_UntaggedCaseAndMissingVariable_AreEachReported()
    {
        var (template, errors) = ExperimentTemplates.Parse("classification", File("classification", t =>
        {
            var cases = t["cases"]!.AsArray();
            while (cases.Count > 39)
            {
                cases.RemoveAt(cases.Count - 1);
            }

            cases[0]!["tags"] = new JsonArray();
            cases[1]!["variables"]!.AsObject().Remove("ticket");
        }));

        Assert.Null(template);
        Assert.Contains(errors, e => e.Contains("at least 40 test cases; it has 39", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Case 1 has no tag", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Case 2 has no value for ticket", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadCheckAndNoVariable_AreReported()
    {
        var (_, errors) = ExperimentTemplates.Parse("classification", File("classification", t =>
        {
            t["promptTemplate"] = "Classify the ticket.";
            t["checks"] = JsonNode.Parse("""[{"kind": "regex", "value": "("}]""");
        }));

        Assert.Contains(errors, e => e.Contains("uses no {{ variable }}", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("regex", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Parse_NotJson_IsAnErrorNotAnException()
    {
        var (template, errors) = ExperimentTemplates.Parse("broken", "{ not json");

        Assert.Null(template);
        Assert.Contains(errors, e => e.StartsWith("broken: not a valid template file", StringComparison.Ordinal));
    }

    private static string File(string id, Action<JsonNode> change)
    {
        var template = ExperimentTemplates.Find(id)!;
        var node = JsonSerializer.SerializeToNode(template, Json)!;
        change(node);
        return node.ToJsonString();
    }
}
