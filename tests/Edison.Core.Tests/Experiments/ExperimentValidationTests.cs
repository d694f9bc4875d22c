using Edison.Core.Experiments;

namespace Edison.Core.Tests.Experiments;

public sealed class ExperimentValidationTests
{
    private static readonly ExperimentDraft Valid = new()
    {
        Name = "Support answers",
        Goal = "Answer the customer's question politely and correctly.",
        CriterionName = "Correctness",
        CriterionDescription = "The answer is factually right.",
        PromptTemplate = "Answer: {{ question }}",
        CasesJsonl = "{\"question\": \"Where is my order?\"}\n{\"question\": \"Can I return it?\"}",
        BaseUrl = "https://api.openai.com/v1",
        ApiKey = "sk-test",
        Model = "gpt-4o-mini",
        JudgeModel = "gpt-4o",
    };

    [Fact]
    public void Validate_ValidDraft_NoErrorsAndCasesParsed()
    {
        var errors = ExperimentValidation.Validate(Valid, out var cases);

        Assert.Empty(errors);
        Assert.Equal(2, cases.Count);
    }

    [Fact]
    public void Validate_Null_Throws() => Assert.Throws<ArgumentNullException>(() => ExperimentValidation.Validate(null!, out _));

    [Theory]
    [InlineData(nameof(ExperimentDraft.Name))]
    [InlineData(nameof(ExperimentDraft.Goal))]
    [InlineData(nameof(ExperimentDraft.CriterionName))]
    [InlineData(nameof(ExperimentDraft.CriterionDescription))]
    [InlineData(nameof(ExperimentDraft.Model))]
    [InlineData(nameof(ExperimentDraft.JudgeModel))]
    [InlineData(nameof(ExperimentDraft.PromptTemplate))]
    public void Validate_RequiredFieldBlank_OneMessageKeyedByPropertyName(string field)
    {
        var draft = With(field, "   ");

        var errors = ExperimentValidation.Validate(draft, out _);

        var (key, messages) = Assert.Single(errors);
        Assert.Equal(field, key);
        var message = Assert.Single(messages);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }

    [Fact]
    public void Validate_EveryRequiredFieldBlank_EachHasItsOwnMessage()
    {
        var errors = ExperimentValidation.Validate(new ExperimentDraft(), out _);

        Assert.Equal(
            [
                nameof(ExperimentDraft.BaseUrl), nameof(ExperimentDraft.CasesJsonl), nameof(ExperimentDraft.CriterionDescription),
                nameof(ExperimentDraft.CriterionName), nameof(ExperimentDraft.Goal), nameof(ExperimentDraft.JudgeModel),
                nameof(ExperimentDraft.Model), nameof(ExperimentDraft.Name), nameof(ExperimentDraft.PromptTemplate),
            ],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(9, errors.Values.SelectMany(m => m).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Validate_NameTooLong_SaysTheLimit()
    {
        var errors = ExperimentValidation.Validate(Valid with { Name = new string('x', 201) }, out _);

        Assert.Equal("Keep this under 200 characters.", Assert.Single(errors[nameof(ExperimentDraft.Name)]));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/v1")]
    [InlineData("/v1/chat")]
    [InlineData("")]
    public void Validate_InvalidBaseUrl_ErrorOnBaseUrl(string url)
    {
        var errors = ExperimentValidation.Validate(Valid with { BaseUrl = url }, out _);

        Assert.Equal([nameof(ExperimentDraft.BaseUrl)], errors.Keys);
        Assert.Contains("http(s)", Assert.Single(errors[nameof(ExperimentDraft.BaseUrl)]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpLoopbackBaseUrl_Accepted()
    {
        Assert.Empty(ExperimentValidation.Validate(Valid with { BaseUrl = " http://127.0.0.1:11434/v1 " }, out _));
    }

    [Fact]
    public void Validate_TemplateSyntaxError_ErrorOnPromptTemplate()
    {
        var errors = ExperimentValidation.Validate(Valid with { PromptTemplate = "Answer {% if question %}{{ question }}" }, out _);

        Assert.Equal([nameof(ExperimentDraft.PromptTemplate)], errors.Keys);
        Assert.StartsWith("The template has a syntax error", Assert.Single(errors[nameof(ExperimentDraft.PromptTemplate)]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CaseMissingTemplateVariable_NamesCaseLineAndVariable()
    {
        var draft = Valid with
        {
            PromptTemplate = "{{ question }} for {{ audience }}",
            CasesJsonl = "{\"question\": \"a\", \"audience\": \"kids\"}\n{\"question\": \"b\"}",
        };

        var errors = ExperimentValidation.Validate(draft, out _);

        Assert.Equal("Case 2 has no value for {{ audience }}.", Assert.Single(errors[nameof(ExperimentDraft.CasesJsonl)]));
    }

    [Fact]
    public void Validate_CaseParseErrors_ReportedWithLineNumbers()
    {
        var errors = ExperimentValidation.Validate(Valid with { CasesJsonl = "{\"question\": \"a\"}\n\n[1]" }, out var cases);

        Assert.Single(cases);
        var message = Assert.Single(errors[nameof(ExperimentDraft.CasesJsonl)]);
        Assert.StartsWith("Line 3: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManyBadLines_FirstTenAndACount()
    {
        var jsonl = string.Join('\n', Enumerable.Repeat("oops", 13));

        var errors = ExperimentValidation.Validate(Valid with { CasesJsonl = jsonl }, out _);

        var messages = errors[nameof(ExperimentDraft.CasesJsonl)];
        Assert.Equal(11, messages.Count);
        Assert.Equal("…and 3 more lines with errors.", messages[^1]);
    }

    [Fact]
    public void Validate_OverlongSystemTextAndKey_ErrorsOnThoseFields()
    {
        var errors = ExperimentValidation.Validate(Valid with { SystemText = new string('s', 20_001), ApiKey = new string('k', 1001) }, out _);

        Assert.Equal([nameof(ExperimentDraft.ApiKey), nameof(ExperimentDraft.SystemText)], errors.Keys.Order(StringComparer.Ordinal));
    }

    private static ExperimentDraft With(string field, string value) => field switch
    {
        nameof(ExperimentDraft.Name) => Valid with { Name = value },
        nameof(ExperimentDraft.Goal) => Valid with { Goal = value },
        nameof(ExperimentDraft.CriterionName) => Valid with { CriterionName = value },
        nameof(ExperimentDraft.CriterionDescription) => Valid with { CriterionDescription = value },
        nameof(ExperimentDraft.Model) => Valid with { Model = value },
        nameof(ExperimentDraft.JudgeModel) => Valid with { JudgeModel = value },
        nameof(ExperimentDraft.PromptTemplate) => Valid with { PromptTemplate = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not a required field."),
    };
}
