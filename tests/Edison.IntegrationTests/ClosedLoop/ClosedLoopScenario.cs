using System.Globalization;
using System.Text.RegularExpressions;
using Edison.Core.Datasets;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Testing.Simulator;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// A simulated world in which the refiner's advice works: the seed prompt makes models answer "answer-n"; the refiner first
/// adds "Cite the source." to the system text, which makes the models add "[cited]" and the judges score 5 instead of 3;
/// its second edit adds "Be brief.", which makes them add "[brief]" too, and the judges score that 4. Pairwise judges
/// prefer a cited answer and call everything else a tie.
/// </summary>
internal static partial class ClosedLoopScenario
{
    public const string Criterion = "Accuracy";
    public const string CiteInstruction = "Cite the source.";
    public const string BriefInstruction = "Be brief.";
    public const string SeedSystemText = "You are terse.";
    public static readonly string[] Models = ["model-small", "model-large"];
    public static readonly string[] PointwiseJudges = ["judge-one", "judge-two"];
    public const string PairwiseJudge = "judge-pairs";
    public const string Refiner = "refiner-model";
    private static readonly string[] JudgeSuggestions = ["Ask the model to cite its source."];
    private static readonly string[] DiagnosedCases = ["case-1", "case-2"];
    private static readonly string[] PlannedChanges = ["Add an instruction to the system text."];
    private static readonly string[] TargetCriteria = [Criterion];

    public static ExperimentDefinition Definition(Guid credentialId, int cases, string reviewMode, StopRules stopRules) => new()
    {
        Name = $"Closed loop {Guid.NewGuid():N}"[..24],
        Goal = "Answer the question correctly and say where the answer comes from.",
        Rubric = new Rubric([new RubricCriterion(Criterion, "The answer is correct and sourced.", 1.0, 1, 5, new Dictionary<int, string>
        {
            [1] = "Wrong", [2] = "Mostly wrong", [3] = "Right but unsourced", [4] = "Right, sourced, padded", [5] = "Right and sourced",
        })]),
        PromptTemplate = "Answer briefly: {{ question }}",
        SystemText = SeedSystemText,
        Cases = Enumerable.Range(1, cases).Select(i => new CaseInput(
            new Dictionary<string, System.Text.Json.JsonElement> { ["question"] = System.Text.Json.JsonSerializer.SerializeToElement($"question-{i}") },
            null, [i % 3 == 0 ? "geography" : "history"], null)).ToList(),
        Models = Models.Select(m => new ModelConfigDraft(credentialId, m)).ToList(),
        Judges = [.. PointwiseJudges.Select(j => new JudgeConfigDraft(JudgeKinds.Pointwise, credentialId, j)),
            new JudgeConfigDraft(JudgeKinds.Pairwise, credentialId, PairwiseJudge)],
        Refiner = new RefinerConfig { CredentialId = credentialId, Model = Refiner },
        ReviewMode = reviewMode,
        StopRules = stopRules,
    };

    public static CredentialDraft Credential(ProviderSimulator simulator, SimTenant tenant) =>
        new($"sim {tenant.ApiKey[^8..]}", ProviderKinds.OpenAICompatible, simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey);

    public static SimStep Respond(SimRequest request) => request.SchemaName switch
    {
        null => Answer(request),
        "PointwiseVerdict" => SimStep.ReplyJson(new
        {
            reasoning = "Compared the answer with the goal.",
            scores = new[] { new { criterion = Criterion, score = ScoreOf(AnswerText(request)), rationale = "Judged on sourcing." } },
            suggestions = JudgeSuggestions,
            safetyFlags = Array.Empty<string>(),
        }),
        "PairwiseVerdict" => SimStep.ReplyJson(new { reasoning = "Preferred the sourced answer.", winner = PairWinner(request) }),
        "RefinerDiagnosis" => SimStep.ReplyJson(new
        {
            reasoning = "Answers never say where they come from.",
            hypotheses = new[] { new { hypothesis = "The prompt never asks for a source.", caseIds = DiagnosedCases, criterion = Criterion } },
        }),
        "RefinerPlan" => SimStep.ReplyJson(new
        {
            reasoning = "One instruction fixes it.", changes = PlannedChanges, targetCriteria = TargetCriteria,
        }),
        "RefinerEdits" => SimStep.ReplyJson(new
        {
            edits = new[] { new { field = "system", anchor = SeedSystemText, operation = "insert_after", text = " " + NextInstruction(request) } },
            note = $"Added \"{NextInstruction(request)}\" to the system text.",
        }),
        "RefinerCritique" => SimStep.ReplyJson(new { violations = Array.Empty<string>(), ok = true }),
        _ => throw new InvalidOperationException($"Unexpected schema {request.SchemaName}."),
    };

    /// <summary>The score every judge gives an answer: 3 unsourced, 5 sourced, 4 sourced but padded.</summary>
    public static int ScoreOf(string answer) => (answer.Contains("[cited]", StringComparison.Ordinal), answer.Contains("[brief]", StringComparison.Ordinal)) switch
    {
        (true, true) => 4,
        (true, false) => 5,
        _ => 3,
    };

    private static SimStep Answer(SimRequest request)
    {
        var system = string.Join("\n", request.Messages.Where(m => m.Role == "system").Select(m => m.Text));
        var number = QuestionNumber().Match(request.LastUserText).Groups[1].Value;
        var text = $"answer-{number}" + (system.Contains(CiteInstruction, StringComparison.Ordinal) ? " [cited]" : "")
            + (system.Contains(BriefInstruction, StringComparison.Ordinal) ? " [brief]" : "");
        return SimStep.Reply(text);
    }

    // The refiner's first edit asks for sources; once the prompt has that, its next edit asks for brevity.
    private static string NextInstruction(SimRequest request) =>
        request.Messages.Any(m => m.Text.Contains(CiteInstruction, StringComparison.Ordinal)) ? BriefInstruction : CiteInstruction;

    private static string AnswerText(SimRequest request)
    {
        var user = request.Messages.First(m => m.Role == "user").Text;
        return user[user.LastIndexOf("The answer to evaluate:", StringComparison.Ordinal)..];
    }

    private static string PairWinner(SimRequest request)
    {
        var user = request.Messages.First(m => m.Role == "user").Text;
        var b = user.LastIndexOf("Answer B:", StringComparison.Ordinal);
        var a = user.LastIndexOf("Answer A:", b, StringComparison.Ordinal);
        var (scoreA, scoreB) = (ScoreOf(user[a..b]), ScoreOf(user[b..]));
        return scoreA == scoreB ? "tie" : scoreA > scoreB ? "A" : "B";
    }

    public static int CaseNumber(string question) => int.Parse(question.AsSpan("question-".Length), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"question-(\d+)")]
    private static partial Regex QuestionNumber();
}
