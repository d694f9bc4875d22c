using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class WordDiffTests
{
    [Fact]
    public void Compare_OneWordReplaced_MarksOnlyThatWord()
    {
        var spans = WordDiff.Compare("The quick brown fox.", "The quick red fox.");

        Assert.Equal(
        [
            new DiffSpan(DiffChange.Unchanged, "The quick "), new DiffSpan(DiffChange.Removed, "brown"),
            new DiffSpan(DiffChange.Added, "red"), new DiffSpan(DiffChange.Unchanged, " fox."),
        ], spans);
    }

    [Fact]
    public void Compare_SameText_IsOneUnchangedSpan()
    {
        Assert.Equal([new DiffSpan(DiffChange.Unchanged, "Same words\nhere.")], WordDiff.Compare("Same words\nhere.", "Same words\nhere."));
    }

    [Fact]
    public void Compare_WordsAddedAtTheEnd_AreOneAddedSpan()
    {
        var spans = WordDiff.Compare("Here is how.", "Here is how. Next step: open Settings.");

        Assert.Equal([new DiffSpan(DiffChange.Unchanged, "Here is how."), new DiffSpan(DiffChange.Added, " Next step: open Settings.")], spans);
    }

    [Fact]
    public void Compare_EitherSideEmpty_IsAllAddedOrAllRemoved()
    {
        Assert.Equal([new DiffSpan(DiffChange.Added, "new text")], WordDiff.Compare(null, "new text"));
        Assert.Equal([new DiffSpan(DiffChange.Removed, "old text")], WordDiff.Compare("old text", ""));
        Assert.Empty(WordDiff.Compare("", null));
    }

    [Theory]
    [InlineData("Answer in 3 sentences.\nBe kind.", "Answer in two short sentences,\nbe kind and end with a next step!")]
    [InlineData("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")]
    [InlineData("tabs\tand  spaces", "tabs and\tspaces\r\n")]
    public void Compare_AnyTexts_EachSideRebuildsItsTextExactly(string before, string after)
    {
        var spans = WordDiff.Compare(before, after);

        Assert.Equal(before, string.Concat(WordDiff.Before(spans).Select(s => s.Text)));
        Assert.Equal(after, string.Concat(WordDiff.After(spans).Select(s => s.Text)));
        Assert.DoesNotContain(WordDiff.Before(spans), s => s.Change == DiffChange.Added);
        Assert.DoesNotContain(WordDiff.After(spans), s => s.Change == DiffChange.Removed);
    }

    [Fact]
    public void Compare_LineBreakBetweenWords_StaysUnchanged()
    {
        var spans = WordDiff.Compare("one\ntwo three", "one\ntwo four");

        Assert.Equal(new DiffSpan(DiffChange.Unchanged, "one\ntwo "), spans[0]);
        Assert.Equal(new DiffSpan(DiffChange.Removed, "three"), spans[1]);
        Assert.Equal(new DiffSpan(DiffChange.Added, "four"), spans[2]);
    }
}
