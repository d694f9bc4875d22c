using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class PromptDiffTests
{
    private static readonly PromptFields Before = new("You are terse.",
        "Line 1\nLine 2\nLine 3\nLine 4\nLine 5\nLine 6\nAnswer: {{ question }}", [new FewShotExample("Q1", "A1")]);

    [Fact]
    public void Unified_OneLineChangedInTemplate_OneHunkWithTwoLinesOfContext()
    {
        var after = Before with { Template = "Line 1\nLine 2\nLine 3\nLine 4 changed\nLine 5\nLine 6\nAnswer: {{ question }}" };

        Assert.Equal("""
            --- v3/template
            +++ proposed/template
            @@ -2,5 +2,5 @@
             Line 2
             Line 3
            -Line 4
            +Line 4 changed
             Line 5
             Line 6

            """, PromptDiff.Unified(Before, after, "v3", "proposed"));
    }

    [Fact]
    public void Unified_SystemAndFewShotOutputChanged_OneSectionPerFieldInOrder()
    {
        var after = Before with { SystemText = "You are terse and exact.", FewShots = [new FewShotExample("Q1", "A1!")] };

        Assert.Equal("""
            --- before/system
            +++ after/system
            @@ -1,1 +1,1 @@
            -You are terse.
            +You are terse and exact.
            --- before/few_shot[0].output
            +++ after/few_shot[0].output
            @@ -1,1 +1,1 @@
            -A1
            +A1!

            """, PromptDiff.Unified(Before, after));
    }

    [Fact]
    public void Unified_Identical_IsEmpty()
    {
        Assert.Equal("", PromptDiff.Unified(Before, Before with { FewShots = [new FewShotExample("Q1", "A1")] }));
    }
}
