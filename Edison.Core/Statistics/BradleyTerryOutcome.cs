namespace Edison.Core.Statistics;

/// <summary>One pairwise judgement of <paramref name="A"/> against <paramref name="B"/> on the case <paramref name="CaseKey"/>.</summary>
/// <param name="CaseKey">The case compared on; all outcomes with the same key are resampled together.</param>
/// <param name="A">The first item.</param>
/// <param name="B">The second item.</param>
/// <param name="ScoreA">1 when A wins, 0.5 for a tie, 0 when B wins (values in between are fractional wins).</param>
public sealed record BradleyTerryOutcome(string CaseKey, string A, string B, double ScoreA);
