using Edison.Core.Judging;
using Edison.Testing.Simulator;

namespace Edison.Benchmarks;

/// What the simulator answers: the model under test says something short, the judge returns a valid verdict.
internal static class SimulatedModels
{
    public const string Criterion = "Helpfulness";

    /// Each model answers in its own words, so no judge call of one model's output is a cache hit for another's.
    public static SimStep Answer(SimRequest request) => request.SchemaName is not null
        ? SimStep.ReplyJson(new PointwiseVerdict("Short and on topic.", [new CriterionScore(Criterion, 4, "Answers the question.")], [], []))
        : SimStep.Reply($"{request.Model} answers: {request.LastUserText}");

    /// A provider that takes 300–500 ms per call, so chunk jobs occupy worker threads for a realistic while.
    public static SimStep SlowAnswer(SimRequest request) =>
        SimStep.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 501)), Answer(request));
}
