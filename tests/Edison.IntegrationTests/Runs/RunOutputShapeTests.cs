using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Runs;

/// <summary>
/// What a run sends and keeps besides the text: cut-off outputs counted in the metrics, the prompt version's response format
/// and tools sent to the model with the parsed JSON stored, tool calls shown to the judge, and progress events that carry the cost.
/// </summary>
public sealed class RunOutputShapeTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string AnswerSchema = "Answer";

    private ExperimentService Experiments => fixture.Services.GetRequiredService<ExperimentService>();

    [Fact]
    public async Task AggregateAsync_OutputsCutOffByLengthOrFilter_CountedAsTruncated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => SimulatedExperiment.IsJudgeCall(r)
            ? SimulatedExperiment.Respond(r)
            : SimulatedExperiment.CaseNumber(r) switch
            {
                1 or 2 => SimStep.Reply($"answer-{SimulatedExperiment.CaseNumber(r)} and", finishReason: "length"),
                3 => SimStep.Reply("", finishReason: "content_filter"),
                _ => SimulatedExperiment.Answer(r),
            });
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 5), cts.Token);

        var iterationId = await IterationDriver.RunAsync(fixture.Services, experimentId, cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var (status, truncatedMetric, truncatedRows) = await connection.QuerySingleAsync<(string, int, int)>(new CommandDefinition("""
            SELECT i.status, (i.metrics ->> 'truncatedOutputs')::int,
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = i.id AND o.truncated)
            FROM iterations i WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cts.Token));
        Assert.Equal((IterationStatus.Completed, 3, 3), (status, truncatedMetric, truncatedRows));
    }

    [Fact]
    public async Task ExecuteChunkAsync_PromptWithResponseFormatAndTools_SendsBothAndStoresParsedJson()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => r.SchemaName == AnswerSchema
            ? SimStep.ReplyJson(new { answer = $"answer-{SimulatedExperiment.CaseNumber(r)}" })
            : SimulatedExperiment.Respond(r));
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 3), cts.Token);
        await SetOutputShapeAsync(experimentId, cts.Token);

        var iterationId = await IterationDriver.RunAsync(fixture.Services, experimentId, cts.Token);

        var modelRequests = tenant.Requests.Where(r => !SimulatedExperiment.IsJudgeCall(r)).ToList();
        Assert.Equal(3, modelRequests.Count);
        Assert.All(modelRequests, r =>
        {
            Assert.Equal(AnswerSchema, r.SchemaName);
            var tool = Assert.Single(r.Body["tools"]!.AsArray())!;
            Assert.Equal("lookup", (string?)tool["function"]!["name"]);
            Assert.Equal("string", (string?)tool["function"]!["parameters"]!["properties"]!["query"]!["type"]);
        });
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var parsed = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT o.parsed_json ->> 'answer' FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = @iterationId
            """, new { iterationId }, cancellationToken: cts.Token));
        Assert.Equal(["answer-1", "answer-2", "answer-3"], parsed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task JudgeChunkAsync_OutputWithToolCalls_JudgeSeesTheCallsAndArguments()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, 1), cts.Token);
        var services = fixture.Services;
        var iterationId = (await services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.Experiment, experimentId, cts.Token), experimentId, cts.Token)).IterationId!.Value;
        var coordinator = services.GetRequiredService<IterationCoordinator>();
        var progress = services.GetRequiredService<WorkProgress>();
        await coordinator.AdvanceAsync(iterationId, cts.Token);
        foreach (var (modelRunId, from, count, _) in await progress.IncompleteExecuteChunksAsync(iterationId, cts.Token))
        {
            await services.GetRequiredService<ChunkExecutor>().ExecuteChunkAsync(modelRunId, from, count, cts.Token);
        }

        // The model answered by calling a tool; the output row keeps the call.
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outputs o SET tool_calls = '[{"name": "lookup", "arguments": {"query": "question-1"}}]'
                FROM model_runs mr WHERE mr.id = o.model_run_id AND mr.iteration_id = @iterationId
                """, new { iterationId }, cancellationToken: cts.Token));
        }

        await coordinator.AdvanceAsync(iterationId, cts.Token);
        foreach (var (judgeConfigId, modelRunId, from, count, _) in await progress.IncompleteJudgeChunksAsync(iterationId, cts.Token))
        {
            await services.GetRequiredService<JudgeRunner>().JudgeChunkAsync(iterationId, judgeConfigId, modelRunId, from, count, cts.Token);
        }

        var judged = Assert.Single(tenant.Requests, SimulatedExperiment.IsJudgeCall);
        Assert.Contains("answer-1\n\nTool calls:\n- lookup({\"query\": \"question-1\"})", judged.Messages.Last(m => m.Role == "user").Text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgressEvents_ExecuteAndJudgeChunks_CarryTheIterationsCostSoFar()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        const int Cases = 4;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services, SimulatedExperiment.Draft(fixture.Simulator, tenant, Cases), cts.Token);
        var bus = fixture.Services.GetRequiredService<IEventBus>();
        var received = new ConcurrentQueue<ExperimentEvent>();
        using var listening = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in bus.SubscribeAsync(experimentId, listening.Token))
                {
                    received.Enqueue(e);
                }
            }
            catch (OperationCanceledException)
            {
                // The test has what it needs.
            }
        }, CancellationToken.None);
        await Poll.UntilAsync("the subscription to receive a probe", async ct =>
        {
            await bus.PublishAsync(new ExperimentEvent(experimentId, null, "probe", null, 0, 0), ct);
            return received.Any(e => e.Kind == "probe");
        }, seen => seen, cts.Token);

        var iterationId = await IterationDriver.RunAsync(fixture.Services, experimentId, cts.Token);
        var events = await Poll.UntilAsync("the judging progress event",
            _ => Task.FromResult(received.Where(e => e.IterationId == iterationId && e.Kind == ExperimentEvent.Progress).ToList()),
            list => list.Any(e => e.Status == IterationStatus.Judging), cts.Token);
        await listening.CancelAsync();
        await reader;

        // Model calls: 10 input and 5 output tokens of gpt-4o-mini; the judge adds gpt-4o calls of the same size.
        var modelCost = Cases * ((10 * 0.15m) + (5 * 0.60m)) / 1_000_000m;
        var judgeCost = Cases * ((10 * 2.50m) + (5 * 10.00m)) / 1_000_000m;
        Assert.Equal(modelCost, events.Single(e => e.Status == IterationStatus.Executing).CostUsd);
        Assert.Equal(modelCost + judgeCost, events.Single(e => e.Status == IterationStatus.Judging).CostUsd);
    }

    private async Task SetOutputShapeAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        var responseFormat = new JsonObject
        {
            ["name"] = AnswerSchema,
            ["schema"] = JsonNode.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}"""),
        };
        var tools = JsonNode.Parse("""
            [{"type": "function", "function": {"name": "lookup", "description": "Looks a fact up.",
              "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}]
            """)!;
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE prompt_versions SET response_format = @responseFormat::jsonb, tools_schema = @tools::jsonb WHERE experiment_id = @experimentId
            """, new { experimentId, responseFormat = responseFormat.ToJsonString(), tools = tools.ToJsonString() },
            cancellationToken: cancellationToken));
    }
}
