using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class RefinerAnswersTests
{
    [Fact]
    public void Edits_DeleteWithoutText_ReadsTextAsEmpty()
    {
        var (answer, error) = RefinerAnswers.Edits("""{"edits": [{"field": "system", "anchor": "A", "operation": "delete"}], "note": "n"}""");

        Assert.Null(error);
        Assert.Equal(new PromptEdit("system", "A", "delete", ""), Assert.Single(answer!.Edits));
    }

    [Fact]
    public void Edits_NoEdits_IsAnErrorInWords()
    {
        Assert.Equal("The answer has no edits; give at least one.", RefinerAnswers.Edits("""{"edits": [], "note": "n"}""").Error);
    }

    [Fact]
    public void Diagnosis_NoHypotheses_IsAnErrorInWords()
    {
        Assert.Equal("The diagnosis has no hypotheses; give at least one.", RefinerAnswers.Diagnosis("""{"reasoning": "r"}""").Error);
    }

    [Fact]
    public void Plan_Prose_IsNotValidJson()
    {
        Assert.StartsWith("The plan answer was not valid JSON (", RefinerAnswers.Plan("Shorten it.").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Critique_BlankViolations_AreDropped()
    {
        var (answer, _) = RefinerAnswers.Critique("""{"violations": ["", " ", "Variable lost."], "ok": false}""");

        Assert.Equal(["Variable lost."], answer!.Violations);
    }
}
