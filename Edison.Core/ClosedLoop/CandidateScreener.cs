using System.Globalization;
using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.Core.Prompts;
using Edison.Core.Refining;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// Scores refiner candidates on a minibatch before one is proposed: up to <see cref="MaxCases"/> train cases, the first
/// model, the pointwise judges. Every call is keyed <c>screen:{iterationId}:{attempt}:{candidate}:{case}</c> (a judge's call
/// adds <c>:judge:{judgeConfigId}</c>), so a re-run after a crash pays nothing twice.
/// </summary>
internal sealed class CandidateScreener(NpgsqlDataSource dataSource, LlmGateway gateway, IOptions<JudgingOptions> judging)
{
    public const int MaxCases = 8;
    public const string Purpose = "screen";
    private static readonly JsonSerializerOptions Json = LoopJson.Options;

    /// <summary>Each candidate's mean composite on the minibatch; a candidate without a proposal is listed with its error.</summary>
    public async Task<ScreeningResult> ScreenAsync(Guid iterationId, int attempt, IReadOnlyList<RefinementResult> candidates,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var setup = await connection.QuerySingleAsync<(Guid ExperimentId, Guid ProjectId, string Goal, string Rubric, string Safety, Guid DatasetVersionId)>(
            new CommandDefinition("""
                SELECT i.experiment_id, e.project_id, e.goal, e.rubric::text, e.safety_config::text, i.dataset_version_id
                FROM iterations i JOIN experiments e ON e.id = i.experiment_id WHERE i.id = @iterationId
                """, new { iterationId }, cancellationToken: cancellationToken));
        var model = await connection.QueryFirstOrDefaultAsync<(Guid CredentialId, string Model, string Parameters)?>(new CommandDefinition("""
            SELECT credential_id, model, parameters::text FROM model_configs WHERE experiment_id = @ExperimentId AND is_enabled ORDER BY position LIMIT 1
            """, new { setup.ExperimentId }, cancellationToken: cancellationToken));
        var judges = (await connection.QueryAsync<(Guid Id, Guid CredentialId, string Model, string SystemPrompt)>(new CommandDefinition("""
            SELECT id, credential_id, model, system_prompt FROM judge_configs
            WHERE experiment_id = @ExperimentId AND is_enabled AND kind = 'pointwise' ORDER BY position
            """, new { setup.ExperimentId }, cancellationToken: cancellationToken))).ToList();
        var cases = (await connection.QueryAsync<(Guid CaseId, string Input, string? Expected)>(new CommandDefinition("""
            SELECT dvc.case_id, cv.input::text, cv.expected_output FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            WHERE dvc.dataset_version_id = @DatasetVersionId AND cv.split = 'train' ORDER BY dvc.position LIMIT @MaxCases
            """, new { setup.DatasetVersionId, MaxCases }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        var rubric = JsonSerializer.Deserialize<Rubric>(setup.Rubric, Json)!;
        var safety = JsonSerializer.Deserialize<SafetyConfig>(setup.Safety, Json) ?? new SafetyConfig();
        var scores = new List<CandidateScore>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var number = i + 1;
            var proposal = candidates[i].Proposal;
            if (!candidates[i].Succeeded || proposal is null)
            {
                scores.Add(new CandidateScore(number, null, 0, candidates[i].Error ?? "The refiner gave no proposal."));
                continue;
            }

            if (model is null || judges.Count == 0 || cases.Count == 0)
            {
                scores.Add(new CandidateScore(number, null, 0, "Not screened: the experiment needs a model, a pointwise judge and train cases."));
                continue;
            }

            var perCase = new List<double>();
            var failed = 0;
            foreach (var c in cases)
            {
                var score = await ScoreCaseAsync(setup.ExperimentId, setup.ProjectId, iterationId, attempt, number, proposal.Proposed, model.Value,
                    judges, setup.Goal, rubric, safety, c, cancellationToken);
                if (score is { } s)
                {
                    perCase.Add(s);
                }
                else
                {
                    failed++;
                }
            }

            var note = failed == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{failed} of {cases.Count} case(s) could not be scored.");
            scores.Add(new CandidateScore(number, perCase.Count == 0 ? null : Math.Round(perCase.Average(), 6), perCase.Count, note));
        }

        var best = scores.Where(s => s.Mean is not null).OrderByDescending(s => s.Mean).ThenBy(s => s.Candidate).FirstOrDefault()
            ?? scores.FirstOrDefault(s => candidates[s.Candidate - 1].Succeeded);
        return new ScreeningResult(model?.Model, cases.Count, best?.Candidate, scores);
    }

    private async Task<double?> ScoreCaseAsync(Guid experimentId, Guid projectId, Guid iterationId, int attempt, int candidate, PromptFields prompt,
        (Guid CredentialId, string Model, string Parameters) model, List<(Guid Id, Guid CredentialId, string Model, string SystemPrompt)> judges,
        string goal, Rubric rubric, SafetyConfig safety, (Guid CaseId, string Input, string? Expected) c, CancellationToken cancellationToken)
    {
        // A candidate whose render passes a template limit scores nothing (it is never sent).
        if (!PromptTemplate.TryParse(prompt.Template, out var template, out _)
            || !template!.TryRender(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!, out var rendered, out _))
        {
            return null;
        }

        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(prompt.SystemText))
        {
            messages.Add(new ChatMessage(ChatRole.System, prompt.SystemText));
        }

        foreach (var example in prompt.FewShots)
        {
            messages.Add(new ChatMessage(ChatRole.User, example.Input));
            messages.Add(new ChatMessage(ChatRole.Assistant, example.Output));
        }

        messages.Add(new ChatMessage(ChatRole.User, rendered!));
        var key = $"screen:{iterationId}:{attempt}:{candidate}:{c.CaseId}";
        var output = await gateway.CompleteAsync(new LlmCallSpec(projectId, model.CredentialId, model.Model, Purpose)
        {
            ExperimentId = experimentId, IterationId = iterationId, CallKey = key, Parameters = model.Parameters,
        }, messages, new ChatOptions(), cancellationToken);
        if (!output.Succeeded)
        {
            return null;
        }

        var composites = new List<double>();
        foreach (var judge in judges)
        {
            var judgeMessages = JudgePrompt.Build(goal, rubric, c.Input, c.Expected, output.Text, judge.SystemPrompt, judging.Value.FenceUntrustedText, safety);
            var verdict = await StructuredOutput.CompleteAsync(gateway, new LlmCallSpec(projectId, judge.CredentialId, judge.Model, Purpose)
            {
                ExperimentId = experimentId, IterationId = iterationId, CallKey = $"{key}:judge:{judge.Id}",
            }, judgeMessages, StructuredCalls.PointwiseVerdict(rubric), new ChatOptions { Temperature = 0 }, cancellationToken);
            if (verdict.Value is not null)
            {
                composites.Add(VerdictParser.Composite(verdict.Value, rubric));
            }
        }

        return composites.Count == 0 ? null : composites.Average();
    }
}

/// <summary>How the refiner's candidates scored on the screening minibatch, and which one was proposed.</summary>
internal sealed record ScreeningResult(string? Model, int Cases, int? Chosen, IReadOnlyList<CandidateScore> Candidates);

/// <summary>One candidate's mean composite over the minibatch cases it was scored on (null when none), with a note.</summary>
internal sealed record CandidateScore(int Candidate, double? Mean, int N, string Note);
