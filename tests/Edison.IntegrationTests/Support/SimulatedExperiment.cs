using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Experiments;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.IntegrationTests.Support;

/// <summary>
/// Experiments whose model and judge are a simulator tenant. Case n asks about "question-n"; the scripted model answers
/// "answer-n" and the scripted judge gives that answer <see cref="ScoreFor"/>(n), so every figure is predictable per case.
/// </summary>
internal static partial class SimulatedExperiment
{
    public const string Criterion = "Accuracy";
    public const string Model = "gpt-4o-mini";
    public const string JudgeModel = "gpt-4o";
    public const string VerdictSchema = "PointwiseVerdict";

    private static readonly string[] Suggestions = ["Ask for one sentence."];

    public static ExperimentDraft Draft(ProviderSimulator simulator, SimTenant tenant, int cases) => new()
    {
        Name = $"Simulated {tenant.ApiKey[^8..]}",
        Goal = "Answer the question correctly.",
        CriterionName = Criterion,
        CriterionDescription = "The answer is correct.",
        PromptTemplate = "Answer briefly: {{ question }}",
        SystemText = "You are terse.",
        CasesJsonl = string.Join('\n', Enumerable.Range(1, cases).Select(i => $$"""{"question": "question-{{i}}"}""")),
        BaseUrl = simulator.OpenAIBaseUrl.ToString(),
        ApiKey = tenant.ApiKey,
        Model = Model,
        JudgeModel = JudgeModel,
    };

    /// <summary>Creates the experiment in the default project as that project's shared test owner.</summary>
    public static async Task<Guid> CreateAsync(IServiceProvider services, ExperimentDraft draft, CancellationToken cancellationToken)
    {
        var owner = await TestActors.OwnerAsync(services, cancellationToken);
        var (id, errors) = await services.GetRequiredService<ExperimentService>().CreateAsync(owner, draft, cancellationToken);
        Assert.True(id is not null, "The draft was refused: " + string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))));
        return id.Value;
    }

    /// <summary>The project and credential <see cref="ExperimentService"/> stored for the experiment.</summary>
    public static async Task<(Guid ProjectId, Guid CredentialId)> CredentialAsync(NpgsqlDataSource dataSource, Guid experimentId,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(Guid, Guid)>(new CommandDefinition("""
            SELECT e.project_id, mc.credential_id FROM experiments e JOIN model_configs mc ON mc.experiment_id = e.id WHERE e.id = @experimentId
            """, new { experimentId }, cancellationToken: cancellationToken));
    }

    public static int ScoreFor(int caseNumber) => (caseNumber % 5) + 1;

    public static bool IsJudgeCall(SimRequest request) => request.SchemaName == VerdictSchema;

    /// <summary>
    /// The case number a model request asks about ("question-n") or a judge request judges ("answer-n"). The first user
    /// message is read, because a structured-output retry ends with the parse error, not the case.
    /// </summary>
    public static int CaseNumber(SimRequest request)
    {
        var text = request.Messages.FirstOrDefault(m => m.Role == "user")?.Text ?? string.Empty;
        var match = (IsJudgeCall(request) ? AnswerNumber() : QuestionNumber()).Match(text);
        return match.Success
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"No case number in: {text}");
    }

    /// <summary>True for the structured-output retry that feeds the parse error back to the judge.</summary>
    public static bool IsRepairCall(SimRequest request) =>
        request.LastUserText.StartsWith("Your answer was not valid:", StringComparison.Ordinal);

    /// <summary>The model's answer to case n.</summary>
    public static SimStep Answer(SimRequest request) => SimStep.Reply($"answer-{CaseNumber(request)}");

    /// <summary>A well-formed pointwise verdict scoring <see cref="Criterion"/>.</summary>
    public static SimStep Verdict(int score) => SimStep.ReplyJson(new
    {
        reasoning = "Checked the answer against the question.",
        scores = new[] { new { criterion = Criterion, score, rationale = $"Scored {score}." } },
        suggestions = Suggestions,
        safetyFlags = Array.Empty<string>(),
    });

    /// <summary>Answers model calls with "answer-n" and judge calls with the verdict <see cref="ScoreFor"/>(n).</summary>
    public static SimStep Respond(SimRequest request) =>
        IsJudgeCall(request) ? Verdict(ScoreFor(CaseNumber(request))) : Answer(request);

    [GeneratedRegex(@"question-(\d+)")]
    private static partial Regex QuestionNumber();

    [GeneratedRegex(@"answer-(\d+)")]
    private static partial Regex AnswerNumber();
}
