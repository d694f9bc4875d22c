using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.Channels;
using Edison.Core.Assist;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Edison.Web.Pages.Experiments.Wizard;

namespace Edison.Web.Endpoints;

/// Answers one assist click as Server-Sent Events: "ready" at once, streamed text as "chunk" (HTML-encoded, appended by the
/// page; for Draft and Improve the readable text of their JSON answer so far), then "done", after which the page fetches the outcome partial. The model is called here, not in the click's POST,
/// so the click answers at once and the first tokens reach the page as they arrive.
internal static partial class AssistEventsEndpoint
{
    private static readonly TimeSpan LingerAfterDone = TimeSpan.FromSeconds(30);

    public static IEndpointRouteBuilder MapAssistEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/events/assist/{assistId:guid}", async (Guid assistId, AssistRuns runs, AssistService assist, WizardDraftStore drafts,
                IHostApplicationLifetime lifetime, ILoggerFactory loggers, HttpContext context) =>
            {
                var userId = context.User.UserId();
                var run = await runs.TakeAsync(assistId);
                if (run is not null && (run.UserId != userId || run.ProjectId != context.CurrentProject()?.ProjectId))
                {
                    return Results.NotFound();
                }

                return TypedResults.ServerSentEvents(StreamAsync(assistId, context.Actor(), run, runs, assist, drafts,
                    loggers.CreateLogger(typeof(AssistEventsEndpoint)), lifetime.ApplicationStopping, context.RequestAborted));
            })
            .WithName("AssistEvents")
            .WithMetadata(new ResolvesOwnResourceAttribute("assistId",
                "an assist request lives in Redis, not the database; the handler compares its user and project with the caller's"))
            .RequireProjectRole(ProjectRole.Editor)
            .RequireRateLimiting(AccountRateLimiting.SpendPolicy);
        return endpoints;
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(Guid id, Actor actor, AssistRun? run, AssistRuns runs, AssistService assist,
        WizardDraftStore drafts, ILogger logger, CancellationToken stopping, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        var userId = actor.UserId;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        var token = linked.Token;
        yield return new SseItem<string>("connected", "ready");
        if (run is null)
        {
            // Taken already (a reconnect after "done") or expired: the outcome, if any, is what the page shows.
            if (await runs.OutcomeAsync(id, userId) is null)
            {
                await runs.SaveOutcomeAsync(id, userId, new AssistOutcome("", "") { Error = "This assist request has expired; click the button again." });
            }

            yield return new SseItem<string>("", "done");
            yield break;
        }

        AssistOutcome outcome;
        if (run.Kind == AssistRun.Complete)
        {
            var text = new StringBuilder();
            var stream = assist.StreamAsync(actor, Request(run, AssistMode.Complete), token).GetAsyncEnumerator(token);
            string? error = null;
            while (true)
            {
                string chunk;
                try
                {
                    if (!await stream.MoveNextAsync())
                    {
                        break;
                    }

                    chunk = stream.Current;
                }
                catch (Exception ex) when (ex is LlmCallException or HttpRequestException)
                {
                    error = Failed(ex, logger, run);
                    break;
                }

                text.Append(chunk);
                yield return new SseItem<string>(HtmlEncoder.Default.Encode(chunk), "chunk");
            }

            await stream.DisposeAsync();
            outcome = new AssistOutcome(run.Kind, run.FieldPath) { Text = error is null ? run.CurrentText + text : null, Error = error };
        }
        else
        {
            // Draft and Improve answer in JSON; the readable text of it so far arrives here as "chunk" events like Complete's,
            // and the structured outcome replaces that preview at "done".
            var previews = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
            var answer = PreviewedAsync(previews.Writer, actor, run, assist, drafts, logger, token);
            await foreach (var piece in previews.Reader.ReadAllAsync(token))
            {
                yield return new SseItem<string>(HtmlEncoder.Default.Encode(piece), "chunk");
            }

            outcome = await answer;
        }

        await runs.SaveOutcomeAsync(id, userId, outcome);
        yield return new SseItem<string>("", "done");

        // The page replaces this stream's element when it fetches the outcome, which closes the connection; until then
        // staying open keeps the browser from reconnecting.
        try
        {
            await Task.Delay(LingerAfterDone, token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<AssistOutcome> PreviewedAsync(ChannelWriter<string> previews, Actor actor, AssistRun run, AssistService assist,
        WizardDraftStore drafts, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await AnswerAsync(actor, run, assist, drafts, logger, (text, ct) => previews.WriteAsync(text, ct), cancellationToken);
        }
        finally
        {
            previews.Complete();
        }
    }

    private static async Task<AssistOutcome> AnswerAsync(Actor actor, AssistRun run, AssistService assist, WizardDraftStore drafts, ILogger logger,
        Func<string, CancellationToken, ValueTask> onPreview, CancellationToken cancellationToken)
    {
        try
        {
            switch (run.Kind)
            {
                case AssistRun.Draft:
                    var options = await assist.DraftAsync(actor, Request(run, AssistMode.Draft), onPreview, cancellationToken);
                    return new AssistOutcome(run.Kind, run.FieldPath) { Options = options.Options, Error = options.Error };
                case AssistRun.Improve:
                    var improved = await assist.ImproveAsync(actor, Request(run, AssistMode.Improve), onPreview, cancellationToken);
                    return new AssistOutcome(run.Kind, run.FieldPath)
                    {
                        Text = improved.Error is null ? improved.Improved : null, UnifiedDiff = improved.UnifiedDiff, Reasons = improved.Reasons,
                        Error = improved.Error,
                    };
                default:
                    var rest = await assist.DraftTheRestAsync(actor, Target(run), run.Goal, run.BudgetUsd, cancellationToken);
                    if (rest.Definition is { } definition && await drafts.GetAsync(run.ProjectId, run.UserId, cancellationToken) is var stored)
                    {
                        var draft = stored is { } s ? WizardDraft.FromJson(s.Json) : new WizardDraft { Goal = run.Goal };
                        draft.ApplyDrafted(definition);
                        await drafts.SaveAsync(actor, run.ProjectId, stored?.Step ?? WizardSteps.Objective, draft.ToJson(), cancellationToken);
                    }

                    return new AssistOutcome(run.Kind, run.FieldPath)
                    {
                        Problems = rest.Problems, CostUsd = rest.CostUsd,
                        Error = rest.Definition is null ? "Nothing was drafted: " + string.Join(" ", rest.Problems) : null,
                    };
            }
        }
        catch (Exception ex) when (ex is LlmCallException or HttpRequestException)
        {
            return new AssistOutcome(run.Kind, run.FieldPath) { Error = Failed(ex, logger, run) };
        }
    }

    private static string Failed(Exception ex, ILogger logger, AssistRun run)
    {
        LogAssistFailed(logger, ex, run.Kind, run.Model);
        return string.Create(CultureInfo.InvariantCulture, $"{run.Model} could not answer: {ex.Message}");
    }

    private static AssistTarget Target(AssistRun run) => new(run.ProjectId, run.CredentialId, run.Model);

    private static AssistRequest Request(AssistRun run, AssistMode mode) =>
        new(Target(run), run.Field, mode, run.Goal, run.CurrentText) { Context = run.Context };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assist {Kind} with {Model} failed")]
    private static partial void LogAssistFailed(ILogger logger, Exception exception, string kind, string model);
}
