using System.Text.Json;
using Edison.Core.Api;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Import;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edison.Web.Api;

/// Datasets and their cases: list, read, and bulk import (JSON Lines, CSV with a header row, or a JSON array) as a new version.
public static partial class ApiEndpoints
{
    private static readonly string[] ImportContentTypes = ["application/x-ndjson", "application/jsonl", "text/csv", "application/json"];

    private static void MapDatasets(RouteGroupBuilder api, RouteGroupBuilder experiments)
    {
        experiments.MapGet("/{experimentId:guid}/datasets", ListDatasetsAsync).WithName("ListDatasets").WithTags("Datasets").Viewer();
        experiments.MapPost("/{experimentId:guid}/datasets", CreateDatasetAsync).WithName("ImportDataset").WithTags("Datasets")
            .Accepts<string>(ImportContentTypes[0], ImportContentTypes[1..]).Role(ProjectRole.Editor);
        var datasets = api.MapGroup("/datasets").WithTags("Datasets");
        datasets.MapGet("/{datasetId:guid}", GetDatasetAsync).WithName("GetDataset").Viewer();
        datasets.MapGet("/{datasetId:guid}/cases", ListCasesAsync).WithName("ListCases").Viewer();
        datasets.MapPost("/{datasetId:guid}/cases", ImportCasesAsync).WithName("ImportCases")
            .Accepts<string>(ImportContentTypes[0], ImportContentTypes[1..]).Role(ProjectRole.Editor);
    }

    private static async Task<Ok<IReadOnlyList<DatasetInfo>>> ListDatasetsAsync(Guid experimentId, ApiStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListDatasetsAsync(experimentId, cancellationToken));

    private static async Task<Results<Ok<DatasetInfo>, ProblemHttpResult>> GetDatasetAsync(Guid datasetId, ApiStore store,
        CancellationToken cancellationToken) =>
        await store.GetDatasetAsync(datasetId, cancellationToken) is { } dataset ? TypedResults.Ok(dataset) : NotFound($"Dataset {datasetId} does not exist.");

    private static async Task<Results<Ok<Page<CaseInfo>>, ProblemHttpResult>> ListCasesAsync(Guid datasetId, int? version, int? offset, int? limit,
        DatasetReader reader, CancellationToken cancellationToken)
    {
        var cases = await reader.GetCasesAsync(datasetId, version, cancellationToken);
        if (cases.Count == 0 && version is not null)
        {
            return NotFound($"Dataset {datasetId} has no version {version} (or it holds no cases).");
        }

        var (skip, take) = Paging(offset, limit);
        return TypedResults.Ok(new Page<CaseInfo>(cases.Skip(skip).Take(take).Select(c => new CaseInfo(c.Id, c.Position, c.Version,
            JsonSerializer.Deserialize<JsonElement>(c.Input), c.ExpectedOutput, c.Tags, c.Difficulty, c.Split)).ToList(), skip, take, cases.Count));
    }

    private static async Task<Results<Created<ImportResult>, ProblemHttpResult, ValidationProblem>> CreateDatasetAsync(Guid experimentId,
        string? name, string? format, HttpRequest request, ProjectAccess access, DatasetImporter importer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["Name the dataset: ?name=…"] });
        }

        if (await access.ProjectOfAsync(ResourceKinds.Experiment, experimentId, cancellationToken) is not { } projectId)
        {
            return NotFound($"Experiment {experimentId} does not exist.");
        }

        return await ImportAsync(request, format, (file, f) => importer.CommitAsync(request.HttpContext.Actor(), projectId, experimentId, null, name, file, f, null, cancellationToken));
    }

    private static async Task<Results<Created<ImportResult>, ProblemHttpResult, ValidationProblem>> ImportCasesAsync(Guid datasetId, string? format,
        HttpRequest request, ApiStore store, DatasetImporter importer, CancellationToken cancellationToken)
    {
        if (await store.GetDatasetAsync(datasetId, cancellationToken) is not { } dataset)
        {
            return NotFound($"Dataset {datasetId} does not exist.");
        }

        return await ImportAsync(request, format,
            (file, f) => importer.CommitAsync(request.HttpContext.Actor(), dataset.ProjectId, dataset.ExperimentId, datasetId, dataset.Name, file, f, null, cancellationToken));
    }

    private static async Task<Results<Created<ImportResult>, ProblemHttpResult, ValidationProblem>> ImportAsync(HttpRequest request, string? format,
        Func<Stream, ImportFormat, Task<ImportResult>> commit)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        ImportFormat? chosen = (format?.ToLowerInvariant() ?? mediaType) switch
        {
            "csv" or "text/csv" => ImportFormat.Csv,
            "jsonl" or "ndjson" or "application/x-ndjson" or "application/jsonl" => ImportFormat.JsonLines,
            "json" or "application/json" => ImportFormat.JsonArray,
            _ => null,
        };
        if (chosen is not { } importFormat)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["format"] = ["Send text/csv, application/x-ndjson (JSON Lines) or application/json (an array), or say ?format=csv|jsonl|json."],
            });
        }

        var result = await commit(request.Body, importFormat);
        if (!result.Succeeded)
        {
            var errors = new Dictionary<string, string[]> { ["file"] = [result.Error!] };
            foreach (var row in result.Skipped.Take(20))
            {
                errors[$"row{row.Row}"] = [row.Message];
            }

            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Created($"/api/v1/datasets/{result.DatasetId}", result);
    }
}
