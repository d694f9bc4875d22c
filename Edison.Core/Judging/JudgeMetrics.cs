using System.Diagnostics.Metrics;
using Edison.Core.Llm;

namespace Edison.Core.Judging;

/// <summary>
/// <c>edison.judge.verdicts</c> on the "Edison" meter: an iteration's pointwise verdicts by judge model and outcome (valid or
/// failed), recorded once per judge when the iteration's judging ends.
/// </summary>
public static class JudgeMetrics
{
    private static readonly Meter Meter = new(LlmTelemetry.SourceName);
    private static readonly Counter<long> Verdicts = Meter.CreateCounter<long>("edison.judge.verdicts", "{verdict}", "Judge verdicts by outcome.");

    /// <summary>Records one judge's verdicts of one iteration.</summary>
    public static void Record(string model, int valid, int failed)
    {
        var modelTag = new KeyValuePair<string, object?>("gen_ai.request.model", model);
        Verdicts.Add(valid, modelTag, new("edison.judge.outcome", "valid"));
        Verdicts.Add(failed, modelTag, new("edison.judge.outcome", "failed"));
    }
}
