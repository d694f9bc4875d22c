using Edison.Testing.Simulator;

namespace Edison.EndToEndTests.LoopPages;

/// <summary>
/// A simulator tenant that is the model under test, the judge and the refiner of a loop experiment: answers end with a next
/// step only once the prompt asks for one, the judge scores that 5 instead of 3, and the refiner's edit adds the request.
/// The refiner quotes a reviewer's note only when its request carries one, so a journey can prove the note reached it.
/// </summary>
internal static class LoopScript
{
    public const string Criterion = "Helpfulness";
    public const string Anchor = "Answer the customer in at most 3 sentences.";
    public const string Instruction = "End with one concrete next step.";
    public const string Template = Anchor + "\n\nCustomer: {{ question }}";
    public const string RefinerModel = "refiner-model";
    public const string CasesJsonl = """
        {"input": {"question": "How do I reset my password?"}, "tags": ["account"]}
        {"input": {"question": "Why was I charged twice?"}, "tags": ["billing"]}
        {"input": {"question": "Can I export my data?"}, "tags": ["account"]}
        {"input": {"question": "Do you have an API?"}, "tags": ["product"]}
        {"input": {"question": "How do I close my account?"}, "tags": ["account"]}
        {"input": {"question": "Is there a student discount?"}, "tags": ["billing"]}
        """;

    public const int CaseCount = 6;

    private static readonly string[] Hypothesis = ["case-1", "case-2"];
    private static readonly string[] Changes = ["Ask for a next step."];
    private static readonly string[] Targets = [Criterion];
    private static readonly string[] Suggestions = ["Ask the model to end with a next step."];

    public static SimTenant Apply(SimTenant tenant, TimeSpan latency, string? answerOverride = null) =>
        tenant.Otherwise(request => SimStep.Delay(latency, Answer(request, answerOverride)));

    /// <summary>What the scripted model, judge or refiner answers to one request (for tenants that add roles of their own).</summary>
    public static SimStep Answer(SimRequest request, string? answerOverride = null) => request.SchemaName switch
        {
            null => SimStep.Reply(answerOverride ?? (request.Messages.Any(m => m.Text.Contains(Instruction, StringComparison.Ordinal))
                ? "Here is how. Next step: open Settings." : "Here is how."), inputTokens: 100, outputTokens: 30),
            "PointwiseVerdict" => SimStep.ReplyJson(new
            {
                reasoning = "Judged on whether the answer gives a next step.",
                scores = new[]
                {
                    new { criterion = Criterion, score = request.LastUserText.Contains("Next step:", StringComparison.Ordinal) ? 5 : 3, rationale = "Clear." },
                },
                suggestions = Suggestions,
                safetyFlags = Array.Empty<string>(),
            }),
            "RefinerDiagnosis" => SimStep.ReplyJson(new
            {
                reasoning = "Answers never say what to do next.",
                hypotheses = new[] { new { hypothesis = "The prompt never asks for a next step.", caseIds = Hypothesis, criterion = Criterion } },
            }),
            "RefinerPlan" => SimStep.ReplyJson(new { reasoning = "One instruction fixes it.", changes = Changes, targetCriteria = Targets }),
            "RefinerEdits" => SimStep.ReplyJson(new
            {
                edits = new[] { new { field = "template", anchor = Anchor, operation = "insert_after", text = " " + Instruction } },
                note = ReviewerNotes(request) is [var reviewerNote, ..]
                    ? $"Added \"{Instruction}\" to the template, as the reviewer asked: \"{reviewerNote}\""
                    : $"Added \"{Instruction}\" to the template.",
            }),
            "RefinerCritique" => SimStep.ReplyJson(new { violations = Array.Empty<string>(), ok = true }),
            _ => SimStep.Reply("unexpected"),
        };

    // The notes as the refiner's prompt lists them: "- note" lines under this heading (Edison.Core's RefinerPrompt).
    private static List<string> ReviewerNotes(SimRequest request)
    {
        const string Heading = "Notes from people who reviewed the outputs:";
        var text = request.Messages.Select(m => m.Text).FirstOrDefault(t => t.Contains(Heading, StringComparison.Ordinal));
        return text is null
            ? []
            : text[(text.IndexOf(Heading, StringComparison.Ordinal) + Heading.Length)..].Split('\n').Select(l => l.Trim())
                .SkipWhile(l => l.Length == 0).TakeWhile(l => l.StartsWith("- ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
    }
}
