using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Experiments;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// Refiner candidates: with refiner_config.candidates = 3 the refiner drafts three times under distinct call keys, each
/// draft is screened on a minibatch of train cases with the first model and the pointwise judges, and the best one is
/// proposed with every candidate's screening result stored on the suggestion.
/// </summary>
public sealed partial class RefinerCandidatesTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const string PoliteInstruction = "Be polite.";

    [Fact]
    public async Task RefineAsync_ThreeCandidates_SecondScreensBestAndIsProposedWithEveryScreeningResult()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var world = await ReviewWorld.CreateAsync(fixture, ReviewModes.EveryIteration, cts.Token, overrides: Edits,
            adjust: d => d with { Refiner = d.Refiner! with { Candidates = 3 } });

        var iterationId = await world.FirstIterationToReviewAsync(cts.Token);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var suggestion = await ReviewWorld.LatestSuggestionAsync(connection, iterationId, cts.Token);
        Assert.Equal("pending", suggestion.Status);
        Assert.Contains(ClosedLoopScenario.CiteInstruction, suggestion.ProposedSystemText, StringComparison.Ordinal);
        Assert.DoesNotContain(PoliteInstruction, suggestion.ProposedSystemText, StringComparison.Ordinal);

        var trainCases = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM iterations i JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version WHERE i.id = @iterationId AND cv.split = 'train'
            """, new { iterationId }, cancellationToken: cts.Token));
        var n = Math.Min(8, trainCases);
        using var screening = JsonDocument.Parse(suggestion.Screening!);
        Assert.Equal(2, screening.RootElement.GetProperty("chosen").GetInt32());
        Assert.Equal(ClosedLoopScenario.Models[0], screening.RootElement.GetProperty("model").GetString());
        var candidates = screening.RootElement.GetProperty("candidates").EnumerateArray()
            .Select(c => (c.GetProperty("candidate").GetInt32(), c.GetProperty("mean").GetDouble(), c.GetProperty("n").GetInt32(),
                c.GetProperty("note").GetString()))
            .ToList();
        Assert.Equal([(1, 3.0, n, ""), (2, 5.0, n, ""), (3, 3.0, n, "")], candidates);

        // Three drafts under distinct call-key prefixes, each told which candidate it is; screening calls the first model once per
        // case and each pointwise judge (not the pairwise one) once per output.
        var diagnoses = world.Tenant.Requests.Where(r => r.SchemaName == "RefinerDiagnosis").Select(CandidateOf).Order().ToList();
        Assert.Equal([1, 2, 3], diagnoses);
        var keys = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT call_key FROM llm_calls WHERE iteration_id = @iterationId AND (purpose = 'refiner' OR purpose = 'screen')",
            new { iterationId }, cancellationToken: cts.Token))).ToList();
        foreach (var candidate in new[] { 1, 2, 3 })
        {
            Assert.Contains($"refine:{iterationId}:1:c{candidate}:diagnose", keys);
            var screened = keys.Where(k => k.StartsWith($"screen:{iterationId}:1:{candidate}:", StringComparison.Ordinal)).ToList();
            Assert.Equal(n * (1 + ClosedLoopScenario.PointwiseJudges.Length), screened.Count);
        }
    }

    private static SimStep? Edits(SimRequest request)
    {
        if (request.SchemaName != "RefinerEdits")
        {
            return null;
        }

        var instruction = CandidateOf(request) == 2 ? ClosedLoopScenario.CiteInstruction : PoliteInstruction;
        return SimStep.ReplyJson(new
        {
            edits = new[] { new { field = "system", anchor = ClosedLoopScenario.SeedSystemText, operation = "insert_after", text = " " + instruction } },
            note = $"Added \"{instruction}\" to the system text.",
        });
    }

    private static int CandidateOf(SimRequest request)
    {
        var match = request.Messages.Select(m => CandidateMarker().Match(m.Text)).FirstOrDefault(m => m.Success);
        return match is null ? 0 : int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"drafting candidate (\d) of")]
    private static partial Regex CandidateMarker();
}
