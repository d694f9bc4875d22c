using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class PromptEditApplierTests
{
    private static readonly HashSet<string> Question = ["question"];

    private static readonly PromptFields Source = new(
        "You are terse.\nNever guess.",
        "Context: {{ context }}\nAnswer briefly: {{ question }}",
        [new FewShotExample("What is 2+2?", "4"), new FewShotExample("Capital of France?", "Paris")]);

    private static EditApplication Apply(params PromptEdit[] edits) => PromptEditApplier.Apply(Source, edits, Question, 1.0);

    [Fact]
    public void Apply_ReplaceInSystem_ReplacesTheAnchor()
    {
        var result = Apply(new PromptEdit("system", "Never guess.", "replace", "Say when you do not know."));

        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        Assert.Equal("You are terse.\nSay when you do not know.", result.Result!.SystemText);
        Assert.Equal(Source.Template, result.Result.Template);
    }

    [Fact]
    public void Apply_InsertAfterWholeLineInTemplate_PutsTheTextOnItsOwnLine()
    {
        var result = Apply(new PromptEdit("template", "Context: {{ context }}", "insert_after", "Use only the context."));

        Assert.Equal("Context: {{ context }}\nUse only the context.\nAnswer briefly: {{ question }}", result.Result!.Template);
    }

    [Fact]
    public void Apply_InsertBeforeWholeLineInSystem_PutsTheTextOnItsOwnLine()
    {
        var result = Apply(new PromptEdit("system", "You are terse.", "insert_before", "You answer trivia."));

        Assert.Equal("You answer trivia.\nYou are terse.\nNever guess.", result.Result!.SystemText);
    }

    [Fact]
    public void Apply_InsertAfterPartOfALine_InsertsVerbatim()
    {
        var result = Apply(new PromptEdit("template", "briefly", "insert_after", " and politely"));

        Assert.Equal("Context: {{ context }}\nAnswer briefly and politely: {{ question }}", result.Result!.Template);
    }

    [Fact]
    public void Apply_DeleteWholeLineInSystem_RemovesTheLineAndItsBreak()
    {
        var result = Apply(new PromptEdit("system", "Never guess.", "delete", ""));

        Assert.Equal("You are terse.", result.Result!.SystemText);
    }

    [Fact]
    public void Apply_DeleteFirstLineOfTemplateWithoutItsVariable_IsRefusedOnlyWhenTheVariableIsRequired()
    {
        var edit = new PromptEdit("template", "Context: {{ context }}", "delete", "");

        Assert.Equal("Answer briefly: {{ question }}", PromptEditApplier.Apply(Source, [edit], Question, 1.0).Result!.Template);
        var refused = PromptEditApplier.Apply(Source, [edit], new HashSet<string> { "question", "context" }, 1.0);
        Assert.Null(refused.Result);
        Assert.Equal("The edits removed the variable {{ context }} from the template; the cases need it.", Assert.Single(refused.Errors));
    }

    [Fact]
    public void Apply_ReplaceInFewShotOutputByIndex_EditsOnlyThatExample()
    {
        var result = Apply(new PromptEdit("few_shot_output", "Paris", "replace", "Paris.", 1));

        Assert.Equal([new FewShotExample("What is 2+2?", "4"), new FewShotExample("Capital of France?", "Paris.")], result.Result!.FewShots);
    }

    [Fact]
    public void Apply_ReplaceInFewShotInputWithoutIndex_FindsTheOnlyExampleWithTheAnchor()
    {
        var result = Apply(new PromptEdit("few_shot_input", "Capital of France?", "replace", "What is the capital of France?"));

        Assert.Equal("What is the capital of France?", result.Result!.FewShots[1].Input);
        Assert.Equal("What is 2+2?", result.Result.FewShots[0].Input);
    }

    [Fact]
    public void Apply_DeleteInFewShotInput_RemovesTheAnchor()
    {
        var result = Apply(new PromptEdit("few_shot_input", "2+2", "delete", "", 0));

        Assert.Equal("What is ?", result.Result!.FewShots[0].Input);
    }

    [Fact]
    public void Apply_ReplaceInTemplateKeepingTheVariable_Succeeds()
    {
        var result = Apply(new PromptEdit("template", "Answer briefly:", "replace", "Answer in one sentence:"));

        Assert.Equal("Context: {{ context }}\nAnswer in one sentence: {{ question }}", result.Result!.Template);
    }

    [Fact]
    public void Apply_InsertAfterInFewShotOutput_AppendsToThatOutputOnly()
    {
        var result = Apply(new PromptEdit("few_shot_output", "4", "insert_after", "Because 2+2=4.", 0));

        Assert.Equal(["4\nBecause 2+2=4.", "Paris"], result.Result!.FewShots.Select(f => f.Output));
    }

    [Fact]
    public void Apply_InsertBeforeInFewShotInput_PrependsOnItsOwnLine()
    {
        var result = Apply(new PromptEdit("few_shot_input", "Capital of France?", "insert_before", "Geography:", 1));

        Assert.Equal("Geography:\nCapital of France?", result.Result!.FewShots[1].Input);
    }

    [Fact]
    public void Apply_DeleteInTemplateMiddleOfLine_RemovesOnlyTheAnchor()
    {
        var result = Apply(new PromptEdit("template", " briefly", "delete", ""));

        Assert.Equal("Context: {{ context }}\nAnswer: {{ question }}", result.Result!.Template);
    }

    [Fact]
    public void Apply_FewShotIndexOutOfRange_IsRefusedInWords()
    {
        var result = Apply(new PromptEdit("few_shot_output", "4", "replace", "Four", 5));

        Assert.Equal("Edit 1 (replace in few_shot_output): there is no few-shot example 5 (the prompt has 2, numbered from 0).",
            Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_AnchorMissing_SaysItWasNotFound()
    {
        var result = Apply(new PromptEdit("system", "Be kind.", "replace", "Be nice."));

        Assert.Null(result.Result);
        Assert.Equal("Edit 1 (replace in system): the anchor \"Be kind.\" was not found in the system text.", Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_AnchorTwice_SaysHowManyTimes()
    {
        var result = Apply(new PromptEdit("template", "{{", "replace", "[["));

        Assert.Equal("Edit 1 (replace in template): the anchor \"{{\" was found 2 times in the template; an anchor must occur exactly once.",
            Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_AnchorInSeveralFewShotsWithoutIndex_IsAmbiguous()
    {
        var result = Apply(new PromptEdit("few_shot_input", "?", "replace", "!"));

        Assert.Contains("was found 2 times in the few-shot inputs", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_VariableRemoved_NamesTheVariable()
    {
        var result = Apply(new PromptEdit("template", "Answer briefly: {{ question }}", "replace", "Answer briefly."));

        Assert.Equal("The edits removed the variable {{ question }} from the template; the cases need it.", Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_TemplateNoLongerParses_IsRefused()
    {
        var result = Apply(new PromptEdit("template", "Answer briefly: {{ question }}", "replace", "Answer briefly: {{ question }} {% if %}"));

        Assert.Null(result.Result);
        Assert.StartsWith("The edited template no longer parses. The template has a syntax error:", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_SizeChangeBeyondTheLimit_IsRefusedWithTheFigures()
    {
        var longer = new string('x', 100);
        var result = PromptEditApplier.Apply(Source, [new PromptEdit("system", "Never guess.", "insert_after", longer)], Question, 0.5);

        // 101 characters added (the line break too) to 116 characters of prompt.
        Assert.Equal(116, Source.TotalLength);
        Assert.Equal("The edits change the prompt's size by 87.1% (101 of 116 characters); the limit is 50%.", Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_SmallChangeWithinTheLimit_Succeeds()
    {
        var result = PromptEditApplier.Apply(Source, [new PromptEdit("system", "Never guess.", "replace", "Never guess!")], Question, 0.01);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Apply_EditsInOrder_TheSecondSeesTheFirstsResult()
    {
        var result = Apply(
            new PromptEdit("system", "Never guess.", "replace", "Never guess. Cite the context."),
            new PromptEdit("system", "Cite the context.", "replace", "Quote the context."));

        Assert.Equal("You are terse.\nNever guess. Quote the context.", result.Result!.SystemText);
    }

    [Fact]
    public void Apply_EditsInReverseOrder_SecondAnchorDoesNotExistYet()
    {
        var result = Apply(
            new PromptEdit("system", "Cite the context.", "replace", "Quote the context."),
            new PromptEdit("system", "Never guess.", "replace", "Never guess. Cite the context."));

        Assert.Null(result.Result);
        Assert.Equal("Edit 1 (replace in system): the anchor \"Cite the context.\" was not found in the system text.", Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_SeveralBadEdits_ReportsEveryOne()
    {
        var result = Apply(
            new PromptEdit("prompt", "x", "replace", "y"),
            new PromptEdit("system", "x", "rewrite", "y"),
            new PromptEdit("system", "", "replace", "y"),
            new PromptEdit("system", "You are terse.", "insert_after", ""));

        Assert.Equal(
        [
            "Edit 1 (replace in prompt): the field must be one of system, template, few_shot_input, few_shot_output.",
            "Edit 2 (rewrite in system): the operation must be one of replace, insert_after, insert_before, delete.",
            "Edit 3 (replace in system): the anchor is empty; it must be exact text of the field.",
            "Edit 4 (insert_after in system): there is no text to insert.",
        ], result.Errors);
    }

    [Fact]
    public void Apply_EmptyEditSet_IsRefusedAsNoOp()
    {
        var result = Apply();

        Assert.Equal("The edit set is empty: there is nothing to apply.", Assert.Single(result.Errors));
    }

    [Fact]
    public void Apply_EditThatChangesNothing_IsRefusedAsNoOp()
    {
        var result = Apply(new PromptEdit("system", "Never guess.", "replace", "Never guess."));

        Assert.Equal("The edits change nothing: the proposed prompt is identical to the current one.", Assert.Single(result.Errors));
    }
}
