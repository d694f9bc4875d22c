using System.Diagnostics;

namespace Edison.Core.Llm;

/// The span of one logical call, around cache, limiter, retries and the provider SDK's own gen_ai span.
internal static class LlmTelemetry
{
    public const string SourceName = "Edison";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartCall(LlmCallSpec spec)
    {
        var activity = Source.StartActivity($"chat {spec.Model}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.request.model", spec.Model);
        activity?.SetTag("edison.llm.purpose", spec.Purpose);
        activity?.SetTag("edison.llm.sample", spec.SampleIndex);
        return activity;
    }
}
