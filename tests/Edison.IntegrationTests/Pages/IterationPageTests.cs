using System.Net;
using System.Text.RegularExpressions;
using Edison.Core.ReadModels;
using Edison.Core.Runs;
using Edison.IntegrationTests.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Pages;

/// The iteration page of a completed iteration, whose grid and figures the web keeps between requests, shows a person's
/// rating on the next load.
public sealed class IterationPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    [Fact]
    public async Task CompletedIterationPage_AfterARating_ShowsTheNewJudgmentAndScore()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var services = web.Factory.Services;
        var iterationId = await SeededIteration.CreateAsync(services, web.Database.DataSource, simulator, 12, IterationStatus.Completed, cts.Token);
        var outputId = (await services.GetRequiredService<IterationInsightsQuery>().ListRatableOutputsAsync(iterationId, cts.Token))[0];
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var page = $"/Iterations/Details/{iterationId}";

        var before = Judgments(await owner.GetStringAsync(page, cts.Token), outputId);
        Assert.Equal(before, Judgments(await owner.GetStringAsync(page, cts.Token), outputId));

        var token = await SecureWebFixture.TokenAsync(owner, $"/Ratings/Rate/{iterationId}/0", cts.Token);
        using var rated = await owner.PostAsync($"/Ratings/Rate/{iterationId}/0",
            SecureWebFixture.Form(token, ($"Scores[{SimulatedExperiment.Criterion}]", "5")), cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, rated.StatusCode);

        Assert.Equal(before + 1, Judgments(await owner.GetStringAsync(page, cts.Token), outputId));
        Assert.Equal(before + 1, Judgments(await owner.GetStringAsync($"{page}?handler=Results", cts.Token), outputId));
    }

    [Fact]
    public async Task CompletedIterationPage_TwoHumanRatings_ShownBesideTheJuryScoreWhichStaysTheJurys()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var simulator = await ProviderSimulator.StartAsync(cts.Token);
        var services = web.Factory.Services;
        var iterationId = await SeededIteration.CreateAsync(services, web.Database.DataSource, simulator, 12, IterationStatus.Completed, cts.Token);
        using var owner = await web.SignInAsync(SecureWebFixture.OwnerEmail, cts.Token);
        var page = $"/Iterations/Details/{iterationId}";
        await new Core.ClosedLoop.IterationAggregator(web.Database.DataSource).AggregateAsync(iterationId, cts.Token);
        var before = MeanScore(await owner.GetStringAsync(page, cts.Token));

        foreach (var (index, score) in new[] { (0, "1"), (1, "5") })
        {
            var token = await SecureWebFixture.TokenAsync(owner, $"/Ratings/Rate/{iterationId}/{index}", cts.Token);
            using var rated = await owner.PostAsync($"/Ratings/Rate/{iterationId}/{index}",
                SecureWebFixture.Form(token, ($"Scores[{SimulatedExperiment.Criterion}]", score)), cts.Token);
            Assert.Equal(HttpStatusCode.Redirect, rated.StatusCode);
        }

        var html = await owner.GetStringAsync(page, cts.Token);
        var juryScore = MeanScore(html);
        Assert.Equal(before, juryScore);
        Assert.Matches("<span id=\"human-rated\">2 of \\d+ rated</span>", html);
        Assert.Matches("id=\"human-mean\">· human mean 3\\.00", html);
        Assert.Matches("id=\"human-alpha\">· human vs jury α (-?\\d\\.\\d\\d on 2 answers|not shown: [01] answers? w)", html);
        Assert.Contains("shown beside the jury, not part of the score", html, StringComparison.Ordinal);
        var criterion = Regex.Match(html, $"<th scope=\"row\">{SimulatedExperiment.Criterion}</th>\\s*<td>([^<\\s]+)", RegexOptions.CultureInvariant);
        Assert.True(criterion.Success, "No criterion row.");
        Assert.Equal(juryScore, criterion.Groups[1].Value);
    }

    private static string MeanScore(string html)
    {
        var match = Regex.Match(html, "id=\"mean-score\">\\s*([^<\\s]+)", RegexOptions.CultureInvariant);
        Assert.True(match.Success, "No mean score on the page.");
        return match.Groups[1].Value;
    }

    private static int Judgments(string html, Guid outputId)
    {
        var match = Regex.Match(html, $"href=\"/Iterations/Output/{outputId}\">(\\d+) judgment", RegexOptions.CultureInvariant);
        Assert.True(match.Success, $"No grid row links to output {outputId}.");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
