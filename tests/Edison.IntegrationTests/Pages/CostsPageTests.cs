using System.Net;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.ReadModels;
using Edison.IntegrationTests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Pages;

/// The cost page sums the project's llm_calls by day, model and experiment over the chosen dates, leaves out other projects'
/// calls and calls outside the range, keeps unpriced calls out of the cost, and says so when the range holds nothing.
public sealed class CostsPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task Costs_SeededCalls_SumByDayModelAndExperimentForTheProjectAndRange()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var projectId = await web.Factory.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        var otherProject = Guid.CreateVersion7();
        var (support, summaries) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token))
        {
            await connection.ExecuteAsync("INSERT INTO projects (id, name) VALUES (@otherProject, 'Someone else')", new { otherProject });
            await connection.ExecuteAsync("""
                INSERT INTO experiments (id, project_id, name, goal, rubric) VALUES
                    (@support, @projectId, 'Support answers', 'Help.', '{}'), (@summaries, @projectId, 'Summaries', 'Summarise.', '{}')
                """, new { support, summaries, projectId });
            var calls = new[]
            {
                Call(projectId, support, "openai", "gpt-4o-mini", "2026-03-01T09:00:00Z", 100, 20, 0.0100m),
                Call(projectId, support, "openai", "gpt-4o", "2026-03-01T23:59:59Z", 300, 50, 0.0500m),
                Call(projectId, summaries, "openai", "gpt-4o-mini", "2026-03-02T00:00:00Z", 200, 40, 0.0200m),
                Call(projectId, null, "anthropic", "claude-haiku", "2026-03-03T12:00:00Z", 50, 10, 0.0030m),
                // A model without a price: counted as a call, its recorded cost left out of the sum.
                Call(projectId, summaries, "local", "tiny", "2026-03-03T13:00:00Z", 10, 5, 9.9m, priceKnown: false),
                // Outside the range, and another project's call: neither is counted.
                Call(projectId, support, "openai", "gpt-4o", "2026-03-04T00:00:00Z", 999, 999, 7m),
                Call(otherProject, null, "openai", "gpt-4o", "2026-03-02T10:00:00Z", 999, 999, 5m),
            };
            await connection.ExecuteAsync("""
                INSERT INTO llm_calls (id, project_id, experiment_id, provider, model, purpose, status, input_tokens, output_tokens, cost_usd,
                                       price_known, started_at, finished_at)
                VALUES (@Id, @ProjectId, @ExperimentId, @Provider, @Model, 'execute', 'succeeded', @InputTokens, @OutputTokens, @CostUsd,
                        @PriceKnown, @StartedAt, @StartedAt)
                """, calls);
        }

        var report = await web.Factory.Services.GetRequiredService<CostReportQuery>()
            .GetAsync(projectId, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 3), cts.Token);

        Assert.Equal(new CostLine("Total", 5, 660, 125, 0.0830m, 1), report.Total);
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], report.ByDay.Select(d => d.Name));
        Assert.Equal([0.0600m, 0.0200m, 0.0030m], report.ByDay.Select(d => d.CostUsd));
        Assert.Equal([2L, 1L, 2L], report.ByDay.Select(d => d.Calls));
        Assert.Equal(new CostLine("openai · gpt-4o", 1, 300, 50, 0.0500m, 0), report.ByModel[0]);
        Assert.Equal(new CostLine("openai · gpt-4o-mini", 2, 300, 60, 0.0300m, 0), report.ByModel[1]);
        Assert.Equal(0.0830m, report.ByModel.Sum(m => m.CostUsd));
        Assert.Equal(new CostLine("Support answers", 2, 400, 70, 0.0600m, 0, support), report.ByExperiment[0]);
        Assert.Equal(new CostLine("Summaries", 2, 210, 45, 0.0200m, 1, summaries), report.ByExperiment[1]);
        Assert.Equal(new CostLine(CostReportQuery.OutsideExperiments, 1, 50, 10, 0.0030m, 0), report.ByExperiment[2]);

        // The page shows the same totals to a signed-in member, for the dates in its form.
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var html = await owner.GetStringAsync("/Settings/Costs?from=2026-03-01&to=2026-03-03", cts.Token);
        Assert.Contains("<dd id=\"total-cost\">$0.0830</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"total-calls\">5</dd>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"unpriced-note\"", html, StringComparison.Ordinal);
        Assert.Contains("Support answers", html, StringComparison.Ordinal);

        var empty = await owner.GetStringAsync("/Settings/Costs?from=2025-01-01&to=2025-01-31", cts.Token);
        Assert.Contains("id=\"costs-empty\"", empty, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"cost-totals\"", empty, StringComparison.Ordinal);

        using var backwards = await owner.GetAsync("/Settings/Costs?from=2026-03-03&to=2026-03-01", cts.Token);
        Assert.Equal(HttpStatusCode.OK, backwards.StatusCode);
        Assert.Contains("The start date is after the end date", await backwards.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
    }

    private static object Call(Guid projectId, Guid? experimentId, string provider, string model, string startedAt, int input, int output,
        decimal cost, bool priceKnown = true) => new
    {
        Id = Guid.CreateVersion7(), ProjectId = projectId, ExperimentId = experimentId, Provider = provider, Model = model,
        InputTokens = input, OutputTokens = output, CostUsd = cost, PriceKnown = priceKnown,
        StartedAt = DateTimeOffset.Parse(startedAt, System.Globalization.CultureInfo.InvariantCulture),
    };
}
