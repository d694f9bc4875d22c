using Edison.Core.Refining;

namespace Edison.Core.Tests.Refining;

public sealed class SuggestionDigestTests
{
    [Fact]
    public void Deduplicate_CaseAndWhitespaceVariants_CountedOnceMostFrequentFirst()
    {
        var digest = SuggestionDigest.Deduplicate(["Ask for one sentence.", "Cite sources.", "ask  for one\tsentence. ", "", "  ", "ASK FOR ONE SENTENCE."]);

        Assert.Equal([("Ask for one sentence.", 3), ("Cite sources.", 1)], digest);
    }
}
