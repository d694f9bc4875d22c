using Edison.Core.Runs;

namespace Edison.Core.Tests.Runs;

public sealed class JudgingHealthTests
{
    [Theory]
    [InlineData(0, 48, 0, 12)]
    [InlineData(1, 48, 1, 12)]
    [InlineData(23, 48, 10, 12)]
    public void FailureReason_FewerThanHalfValid_SaysSo(int valid, int total, int scored, int cases) =>
        Assert.StartsWith($"Judging failed: only {valid} of {total} verdicts were valid", JudgingHealth.FailureReason(valid, total, scored, cases, 0.05),
            StringComparison.Ordinal);

    [Fact]
    public void FailureReason_HalfValidButFewerScoredCasesThanAComparisonNeeds_SaysSo() =>
        Assert.StartsWith("Judging failed: 5 of 12 cases were scored, fewer than the 6", JudgingHealth.FailureReason(24, 48, 5, 12, 0.05),
            StringComparison.Ordinal);

    [Theory]
    [InlineData(24, 48, 6, 12)]
    [InlineData(48, 48, 12, 12)]
    [InlineData(12, 12, 3, 3)]
    [InlineData(2, 4, 2, 4)]
    public void FailureReason_EnoughValidVerdictsAndCases_IsNull(int valid, int total, int scored, int cases) =>
        Assert.Null(JudgingHealth.FailureReason(valid, total, scored, cases, 0.05));

    [Fact]
    public void FailureReason_NoLlmJudge_IsNull() => Assert.Null(new VerdictCounts([], 0, 12, 0.05).FailureReason);
}
