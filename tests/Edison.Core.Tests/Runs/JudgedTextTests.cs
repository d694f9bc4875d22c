using Edison.Core.Judging;

namespace Edison.Core.Tests.Runs;

public sealed class JudgedTextTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("[]")]
    public void WithToolCalls_NoCalls_TextUnchanged(string? toolCalls) => Assert.Equal("answer", JudgedText.WithToolCalls("answer", toolCalls));

    [Fact]
    public void WithToolCalls_Calls_ListedAfterTheTextWithArguments()
    {
        var text = JudgedText.WithToolCalls("answer", """[{"name": "lookup", "arguments": {"q": "x"}}, {"name": "now"}]""");

        Assert.Equal("answer\n\nTool calls:\n- lookup({\"q\": \"x\"})\n- now({})", text);
    }

    [Fact]
    public void WithToolCalls_NoText_OnlyTheCalls() =>
        Assert.Equal("Tool calls:\n- now({})", JudgedText.WithToolCalls("", """[{"name": "now"}]"""));
}
