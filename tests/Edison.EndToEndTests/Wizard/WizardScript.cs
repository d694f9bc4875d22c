using Edison.Testing.Simulator;

namespace Edison.EndToEndTests.Wizard;

/// <summary>
/// A simulator tenant that answers everything the wizard journey asks: the assist model's rubric, seed prompt and 20 tagged
/// cases for "Draft the rest", then the model under test and both judges of the first iteration.
/// </summary>
internal static class WizardScript
{
    public const string Model = "gpt-4o-mini";
    public const string Goal = "Answer customers' billing questions correctly and kindly, with one concrete next step.";
    private static readonly string[] Suggestions = ["Name the exact setting to open."];

    public static SimTenant Apply(SimTenant tenant) => tenant.Otherwise(request => SimStep.Delay(TimeSpan.FromMilliseconds(150), request.SchemaName switch
    {
        "RubricAnswer" => SimStep.ReplyJson(new
        {
            criteria = new[]
            {
                new { name = "Correctness", description = "Facts agree with the billing policy.", weight = 3.0, labels = new List<string> { "wrong", "mostly wrong", "mixed", "mostly right", "right" } },
                new { name = "Kindness", description = "Warm, brief, no blame.", weight = 1.0, labels = new List<string> { "rude", "curt", "neutral", "kind", "warm" } },
            },
        }),
        "SeedPromptAnswer" => SimStep.ReplyJson(new
        {
            systemText = "You are a senior billing support agent.",
            template = "Answer the customer's billing question in at most 3 sentences and end with a next step.\n<question>{{ question }}</question>",
            variables = new List<string> { "question" },
            techniques = new[] { new { technique = "Role", criterion = "Kindness", why = "tone" }, new { technique = "Explicit format", criterion = "Correctness", why = "facts" } },
        }),
        "GeneratedBatch" => SimStep.ReplyJson(new
        {
            cases = Enumerable.Range(0, 20).Select(i => new
            {
                variables = new Dictionary<string, string> { ["question"] = $"Billing question {i}: invoice {1000 + (i * 7919)} shows {i % 3 + 2} charges" },
                tags = new[] { i % 2 == 0 ? "refund" : "invoice" },
                difficulty = i % 3 == 0 ? "hard" : "easy",
            }).ToList(),
        }),
        "PointwiseVerdict" => SimStep.ReplyJson(new
        {
            reasoning = "Checked the facts and the tone.",
            scores = new[] { new { criterion = "Correctness", score = 4, rationale = "Right." }, new { criterion = "Kindness", score = 5, rationale = "Warm." } },
            suggestions = Suggestions,
            safetyFlags = Array.Empty<string>(),
        }),
        _ => SimStep.Reply("You were charged once; the second line is a pending hold. Next step: open Billing › Invoices.", inputTokens: 80, outputTokens: 25),
    }));
}
