using System.Text.Json;
using Edison.Core.Api;
using Edison.Core.Bundles;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Refining;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edison.Web.Api;

/// <summary>The JSON API under <c>/api/v1</c>, its OpenAPI document and its reference page.</summary>
public static partial class ApiEndpoints
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private const string YamlContentType = "application/yaml";

    /// <summary>Registers the API's Core services, the OpenAPI document and ProblemDetails.</summary>
    public static IHostApplicationBuilder AddEdisonApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEdisonApiCore();
        builder.AddEdisonBundles();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", o => o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true);
        return builder;
    }

    /// <summary>Maps <c>/api/v1/*</c>, <c>/openapi/v1.json</c> and the reference page <c>/api/v1/reference</c>.</summary>
    public static IEndpointRouteBuilder MapEdisonApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpenApi("/openapi/{documentName}.json").WithMetadata(new RequireProjectRoleAttribute(ProjectRole.Viewer));
        ApiReference.Map(endpoints);
        var api = endpoints.MapGroup("/api/v1");

        var experiments = api.MapGroup("/experiments").WithTags("Experiments");
        experiments.MapGet("/", ListExperimentsAsync).WithName("ListExperiments").Viewer();
        experiments.MapGet("/{experimentId:guid}", GetExperimentAsync).WithName("GetExperiment").Viewer();
        experiments.MapPost("/", CreateExperimentAsync).WithName("CreateExperiment")
            .Accepts<ExperimentDefinition>("application/json", YamlContentType, "text/yaml").Role(ProjectRole.Editor);
        api.MapGet("/projects", ListProjectsAsync).WithName("ListProjects").WithTags("Projects").Viewer();

        var versions = experiments.MapGroup("/{experimentId:guid}/prompt-versions").WithTags("Prompt versions");
        versions.MapGet("/", ListVersionsAsync).WithName("ListPromptVersions").Viewer();
        versions.MapGet("/production", GetProductionAsync).WithName("GetProductionPrompt").Viewer();
        versions.MapGet("/{version:int}", GetVersionAsync).WithName("GetPromptVersion").Viewer();
        versions.MapPost("/", CreateVersionAsync).WithName("CreatePromptVersion").Role(ProjectRole.Editor);
        versions.MapGet("/{from:int}/diff/{to:int}", DiffAsync).WithName("DiffPromptVersions").Viewer();
        versions.MapPut("/{version:int}/labels/{label}", SetLabelAsync).WithName("SetPromptVersionLabel").Role(ProjectRole.Editor);

        experiments.MapGet("/{experimentId:guid}/iterations", ListIterationsAsync).WithName("ListIterations").WithTags("Iterations").Viewer();
        experiments.MapPost("/{experimentId:guid}/iterations", StartIterationAsync).WithName("StartIteration").WithTags("Iterations")
            .Role(ProjectRole.Editor);
        var iterations = api.MapGroup("/iterations").WithTags("Iterations");
        iterations.MapGet("/{iterationId:guid}", GetIterationAsync).WithName("GetIteration").Viewer();
        iterations.MapGet("/{iterationId:guid}/metrics", GetMetricsAsync).WithName("GetIterationMetrics").Viewer()
            .ProducesProblem(StatusCodes.Status409Conflict);
        iterations.MapGet("/{iterationId:guid}/outputs", ListOutputsAsync).WithName("ListIterationOutputs").Viewer();
        iterations.MapGet("/{iterationId:guid}/judgments", ListJudgmentsAsync).WithName("ListIterationJudgments").Viewer();
        iterations.MapPost("/{iterationId:guid}/rejudge", RejudgeAsync).WithName("RejudgeIteration").Role(ProjectRole.Editor)
            .ProducesProblem(StatusCodes.Status409Conflict);
        MapDatasets(api, experiments);

        experiments.MapGet("/{experimentId:guid}/suggestions", ListSuggestionsAsync).WithName("ListSuggestions").WithTags("Suggestions").Viewer();
        var suggestions = api.MapGroup("/suggestions").WithTags("Suggestions");
        suggestions.MapPost("/{suggestionId:guid}/approve", ApproveAsync).WithName("ApproveSuggestion").Role(ProjectRole.Reviewer);
        suggestions.MapPost("/{suggestionId:guid}/reject", RejectAsync).WithName("RejectSuggestion").Role(ProjectRole.Reviewer);

        experiments.MapPost("/{experimentId:guid}/checks", StartCheckAsync).WithName("StartCheck").WithTags("Checks").Role(ProjectRole.Editor);
        api.MapGet("/checks/{checkId:guid}", GetCheckAsync).WithName("GetCheck").WithTags("Checks").Viewer();

        experiments.MapGet("/{experimentId:guid}/bundle", ExportBundleAsync).WithName("ExportBundle").WithTags("Bundles")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip").Viewer();
        api.MapPost("/bundles", ImportBundleAsync).WithName("ImportBundle").WithTags("Bundles").Accepts<Stream>("application/zip")
            .Role(ProjectRole.Editor);
        return endpoints;
    }

    private static RouteHandlerBuilder Viewer(this RouteHandlerBuilder builder) => builder.Role(ProjectRole.Viewer);

    private static RouteHandlerBuilder Role(this RouteHandlerBuilder builder, ProjectRole role) =>
        builder.WithMetadata(new RequireProjectRoleAttribute(role)).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<Ok<Page<ExperimentSummary>>> ListExperimentsAsync(HttpContext http, ExperimentService experiments, int? offset,
        int? limit, CancellationToken cancellationToken)
    {
        var all = await (http.CurrentProject() is { } project ? experiments.ListAsync(project.ProjectId, cancellationToken) : experiments.ListAsync(cancellationToken));
        var (skip, take) = Paging(offset, limit);
        return TypedResults.Ok(new Page<ExperimentSummary>(all.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Skip(skip).Take(take).ToList(),
            skip, take, all.Count));
    }

    private static async Task<Results<Ok<ExperimentDetails>, ProblemHttpResult>> GetExperimentAsync(Guid experimentId,
        ExperimentService experiments, CancellationToken cancellationToken) =>
        await experiments.GetAsync(experimentId, cancellationToken) is { } details
            ? TypedResults.Ok(details)
            : NotFound($"Experiment {experimentId} does not exist.");

    private static async Task<Results<Created<CreatedResponse>, ValidationProblem>> CreateExperimentAsync(HttpContext http,
        ExperimentService experiments, CancellationToken cancellationToken)
    {
        var (definition, problem) = await ExperimentDefinitionBody.ReadAsync(http, cancellationToken);
        if (definition is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["definition"] = [problem!] });
        }

        var (id, errors) = await experiments.CreateAsync(http.Actor(), http.CurrentProject()?.ProjectId, definition, cancellationToken);
        if (id is not { } created)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }

        var location = $"/api/v1/experiments/{created}";
        return TypedResults.Created(location, new CreatedResponse(created, location));
    }

    private static async Task<Ok<IReadOnlyList<ProjectMembership>>> ListProjectsAsync(HttpContext http, ProjectMembershipService memberships,
        CancellationToken cancellationToken)
    {
        if (http.User.UserId() is not { } userId)
        {
            return TypedResults.Ok<IReadOnlyList<ProjectMembership>>([]);
        }

        // A token speaks for its own project only, so it lists only that one.
        var mine = await memberships.ProjectsOfAsync(userId, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ProjectMembership>>(
            Guid.TryParse(http.User.FindFirst(Infrastructure.Security.ApiTokenAuthenticationHandler.ProjectClaim)?.Value, out var tokenProject)
                ? mine.Where(m => m.ProjectId == tokenProject).ToList()
                : mine);
    }

    private static async Task<Ok<Page<JudgmentRow>>> ListJudgmentsAsync(Guid iterationId, int? offset, int? limit, ApiStore store,
        CancellationToken cancellationToken)
    {
        var (skip, take) = Paging(offset, limit);
        return TypedResults.Ok(await store.ListJudgmentsAsync(iterationId, skip, take, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<PromptVersionInfo>>, ProblemHttpResult>> ListVersionsAsync(Guid experimentId,
        ApiStore store, CancellationToken cancellationToken)
    {
        var versions = await store.ListVersionsAsync(experimentId, cancellationToken);
        return versions.Count == 0 ? NotFound($"Experiment {experimentId} has no prompt versions.") : TypedResults.Ok(versions);
    }

    private static async Task<Results<Ok<PromptVersionInfo>, ProblemHttpResult>> GetProductionAsync(Guid experimentId, ApiStore store,
        CancellationToken cancellationToken) =>
        await store.GetProductionVersionAsync(experimentId, cancellationToken) is { } version
            ? TypedResults.Ok(version)
            : NotFound($"Experiment {experimentId} has no prompt versions.");

    private static async Task<Results<Ok<PromptVersionInfo>, ProblemHttpResult>> GetVersionAsync(Guid experimentId, int version,
        ApiStore store, CancellationToken cancellationToken) =>
        await store.GetVersionAsync(experimentId, version, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : NotFound($"Experiment {experimentId} has no prompt version {version}.");

    private static async Task<Results<Created<PromptVersionInfo>, ProblemHttpResult, ValidationProblem>> CreateVersionAsync(Guid experimentId,
        CreatePromptVersionRequest request, HttpContext http, ApiStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Template))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["template"] = ["A template is required."] });
        }

        var created = await store.CreateVersionAsync(http.Actor(), experimentId, request.ParentVersion, request.Template, request.SystemText,
            request.Changelog, cancellationToken);
        return created is null
            ? NotFound($"Experiment {experimentId} has no prompt version {request.ParentVersion}.")
            : TypedResults.Created($"/api/v1/experiments/{experimentId}/prompt-versions/{created.Version}", created);
    }

    private static async Task<Results<Ok<DiffResponse>, ProblemHttpResult>> DiffAsync(Guid experimentId, int from, int to, ApiStore store,
        CancellationToken cancellationToken)
    {
        var before = await store.GetVersionAsync(experimentId, from, cancellationToken);
        var after = await store.GetVersionAsync(experimentId, to, cancellationToken);
        if (before is null || after is null)
        {
            return NotFound($"Experiment {experimentId} lacks version {(before is null ? from : to)}.");
        }

        var diff = PromptDiff.Unified(new PromptFields(before.SystemText, before.Template, []), new PromptFields(after.SystemText, after.Template, []),
            $"v{from}", $"v{to}");
        return TypedResults.Ok(new DiffResponse(from, to, diff));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetLabelAsync(Guid experimentId, int version, string label, HttpContext http,
        ApiStore store, CancellationToken cancellationToken) =>
        await store.SetLabelAsync(http.Actor(), experimentId, version, label, cancellationToken)
            ? TypedResults.NoContent()
            : NotFound($"Experiment {experimentId} has no prompt version {version}.");

    private static async Task<Ok<IReadOnlyList<IterationListItem>>> ListIterationsAsync(Guid experimentId, ApiStore store,
        CancellationToken cancellationToken)
    {
        var rows = await store.ListIterationsAsync(experimentId, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<IterationListItem>>(rows.Select(r => new IterationListItem(r.Id, r.Number, r.Status, r.Version)).ToList());
    }

    private static async Task<Results<Accepted<CreatedResponse>, ProblemHttpResult>> StartIterationAsync(Guid experimentId,
        HttpContext http, IterationService iterations, CancellationToken cancellationToken)
    {
        var started = await iterations.StartAsync(http.Actor(), experimentId, cancellationToken);
        if (started.IterationId is not { } id)
        {
            return TypedResults.Problem(started.Error, statusCode: StatusCodes.Status409Conflict, title: "The iteration cannot start.");
        }

        var location = $"/api/v1/iterations/{id}";
        return TypedResults.Accepted(location, new CreatedResponse(id, location));
    }

    private static async Task<Results<Ok<IterationView>, ProblemHttpResult>> GetIterationAsync(Guid iterationId, IterationService iterations,
        CancellationToken cancellationToken) =>
        await iterations.GetAsync(iterationId, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound($"Iteration {iterationId} does not exist.");

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> GetMetricsAsync(Guid iterationId, ApiStore store,
        CancellationToken cancellationToken)
    {
        // The role check has already answered 404 for an iteration that does not exist; here it exists but is not aggregated.
        var json = await store.GetMetricsJsonAsync(iterationId, cancellationToken);
        return json is null
            ? TypedResults.Problem($"Iteration {iterationId} has no metrics yet; they are written when it finishes.",
                statusCode: StatusCodes.Status409Conflict, title: "No metrics yet")
            : TypedResults.Ok(JsonSerializer.Deserialize<JsonElement>(json));
    }

    private static async Task<Ok<Page<OutputRow>>> ListOutputsAsync(Guid iterationId, int? offset, int? limit, ApiStore store,
        CancellationToken cancellationToken)
    {
        var (skip, take) = Paging(offset, limit);
        return TypedResults.Ok(await store.ListOutputsAsync(iterationId, skip, take, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<SuggestionInfo>>> ListSuggestionsAsync(Guid experimentId, ApiStore store,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListSuggestionsAsync(experimentId, cancellationToken));

    private static async Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> ApproveAsync(Guid suggestionId, ReviewRequest request,
        HttpContext http, ReviewService reviews, CancellationToken cancellationToken) =>
        Decided(await reviews.ApproveAsync(http.Actor(), suggestionId, request.Note, null, cancellationToken));

    // Re-judges the failed verdicts of an iteration whose judging failed; 409 when it is in any other state.
    private static async Task<Results<Accepted, ProblemHttpResult>> RejudgeAsync(Guid iterationId, HttpContext http, IterationService iterations,
        CancellationToken cancellationToken) =>
        await iterations.RejudgeAsync(http.Actor(), iterationId, cancellationToken)
            ? TypedResults.Accepted((string?)null)
            : TypedResults.Problem("Only an iteration whose judging failed can be re-judged.", statusCode: StatusCodes.Status409Conflict);

    private static async Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> RejectAsync(Guid suggestionId, ReviewRequest request,
        HttpContext http, ReviewService reviews, CancellationToken cancellationToken) =>
        Decided(await reviews.RejectAsync(http.Actor(), suggestionId, request.Note, cancellationToken));

    private static async Task<Results<Accepted<CreatedResponse>, ProblemHttpResult, ValidationProblem>> StartCheckAsync(Guid experimentId,
        StartCheckRequest request, HttpContext http, CiCheckService checks, CancellationToken cancellationToken)
    {
        if (double.IsNaN(request.Threshold) || double.IsInfinity(request.Threshold))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["threshold"] = ["The threshold must be a number."] });
        }

        var (checkId, error) = await checks.StartAsync(http.Actor(), experimentId, request.Version, request.Threshold, cancellationToken);
        if (checkId is not { } id)
        {
            // The experiment exists (the role check answers 404 otherwise): what is missing is the version asked for or its cases.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = [error ?? "The check cannot start."] });
        }

        var location = $"/api/v1/checks/{id}";
        return TypedResults.Accepted(location, new CreatedResponse(id, location));
    }

    private static async Task<Results<Ok<CiCheckView>, ProblemHttpResult>> GetCheckAsync(Guid checkId, CiCheckService checks,
        CancellationToken cancellationToken) =>
        await checks.GetAsync(checkId, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound($"Check {checkId} does not exist.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportBundleAsync(Guid experimentId, BundleService bundles,
        CancellationToken cancellationToken)
    {
        using var zip = new MemoryStream();
        return await bundles.ExportAsync(experimentId, zip, cancellationToken)
            ? TypedResults.File(zip.ToArray(), "application/zip", $"experiment-{experimentId}.zip")
            : NotFound($"Experiment {experimentId} does not exist.");
    }

    private static async Task<Results<Created<BundleImportResult>, ProblemHttpResult>> ImportBundleAsync(HttpRequest request,
        BundleService bundles, ExperimentService experiments, CancellationToken cancellationToken)
    {
        // A token names its project; a request without one imports into the instance's first project, as experiments are created.
        var projectId = request.HttpContext.CurrentProject()?.ProjectId ?? await experiments.DefaultProjectIdAsync(cancellationToken);
        // Credentials never travel: ?credential=<the bundle's credential id>:<one of this project's credential ids>, once for each.
        var credentials = new Dictionary<Guid, Guid>();
        foreach (var pair in request.Query["credential"].OfType<string>())
        {
            var parts = pair.Split(':');
            if (parts.Length != 2 || !Guid.TryParse(parts[0], out var from) || !Guid.TryParse(parts[1], out var to) || !credentials.TryAdd(from, to))
            {
                return TypedResults.Problem($"'{pair}' is not <bundle credential id>:<project credential id> (once per bundle credential).",
                    statusCode: StatusCodes.Status400BadRequest, title: "Bad credential mapping.");
            }
        }

        using var zip = new MemoryStream();
        await request.Body.CopyToAsync(zip, cancellationToken);
        zip.Position = 0;
        try
        {
            var imported = await bundles.ImportAsync(request.HttpContext.Actor(), projectId, zip, credentials, cancellationToken);
            return TypedResults.Created($"/api/v1/experiments/{imported.ExperimentId}", imported);
        }
        catch (InvalidDataException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Not an Edison bundle.");
        }
    }

    private static Results<Ok<ReviewDecision>, ProblemHttpResult> Decided(ReviewDecision decision) =>
        decision.Accepted
            ? TypedResults.Ok(decision)
            : TypedResults.Problem(decision.Error, statusCode: StatusCodes.Status409Conflict, title: "The review was not accepted.");

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static (int Offset, int Limit) Paging(int? offset, int? limit) =>
        (Math.Max(0, offset ?? 0), Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit));
}
