using Edison.Testing.Simulator;

namespace Edison.EndToEndTests;

/// Makes a simulator tenant act as both the model under test and the judge of the skeleton experiment.
internal static class SkeletonScript
{
    public const string Criterion = "Helpfulness";

    private static readonly string[] Suggestions = ["Ask the model to name one concrete next step."];

    public static SimTenant Apply(SimTenant tenant, TimeSpan latency) => tenant.Otherwise(request =>
        request.SchemaName == "PointwiseVerdict"
            ? SimStep.Delay(latency, SimStep.ReplyJson(new
            {
                reasoning = "The answer addresses the question and ends with a next step.",
                scores = new[] { new { criterion = Criterion, score = 4, rationale = "Accurate and polite." } },
                suggestions = Suggestions,
                safetyFlags = Array.Empty<string>(),
            }))
            : SimStep.Delay(latency, SimStep.Reply($"Thanks for asking! Here is what to do about: {request.LastUserText[^Math.Min(40, request.LastUserText.Length)..]}",
                inputTokens: 120, outputTokens: 40)));

    public const string CasesJsonl = """
        {"question": "How do I reset my password?"}
        {"question": "Why was I charged twice?"}
        {"question": "Can I export my data?"}
        {"question": "Do you have an API?"}
        """;

    public const int CaseCount = 4;

    public const string Template = "Answer the customer in at most 3 sentences.\n\nCustomer: {{ question }}";
}
