using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Edison.IntegrationTests.Security;

namespace Edison.IntegrationTests.Experiments;

/// <summary>The new-experiment wizard over HTTP, signed in: step validation beside the field, Back/Next keeping input, htmx swaps, create.</summary>
public sealed partial class WizardPageTests(SecureWebFixture web) : IClassFixture<SecureWebFixture>
{
    private const string Page = "/Experiments/New";
    private const string StepUrl = "/Experiments/New?handler=Step";

    [Fact]
    public async Task Next_MissingName_ErrorBesideTheNameAndTheGoalKept()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);

        var html = await PostStepAsync(client, 1, "next", cts.Token, ("Input.Name", ""), ("Input.Goal", "Answer billing questions <precisely>."));

        Assert.Matches(NameErrors(), html);
        Assert.Contains("Answer billing questions &lt;precisely&gt;.</textarea>", html, StringComparison.Ordinal);
        Assert.Contains("Step 1 of 7: Objective", html, StringComparison.Ordinal);
        Assert.Contains("id=\"name\" name=\"Input.Name\" value=\"\" maxlength=\"200\" autocomplete=\"off\" aria-describedby=\"name-errors\" aria-invalid=\"true\"", html,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackAndNext_InputOnEachStepSurvivesAndTheDraftSurvivesAReload()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);

        Assert.Equal("/Experiments/New?step=2", await RedirectAsync(client, 1, "next", cts.Token, ("Input.Name", "Billing helper"),
            ("Input.Goal", "Answer billing questions.")));
        Assert.Equal("/Experiments/New?step=3", await RedirectAsync(client, 2, "next", cts.Token, Criterion(0, "Accuracy", "1")));
        // Back saves what was typed on the step even though the step is not finished.
        Assert.Equal("/Experiments/New?step=2", await RedirectAsync(client, 3, "back", cts.Token,
            ("Input.SystemText", "Be brief."), ("Input.PromptTemplate", "Answer: {{ question }}")));

        var rubric = await client.GetStringAsync("/Experiments/New?step=2", cts.Token);
        Assert.Contains("value=\"Accuracy\"", rubric, StringComparison.Ordinal);
        Assert.Contains("aria-current=\"step\"", rubric, StringComparison.Ordinal);
        var seed = await client.GetStringAsync("/Experiments/New?step=3", cts.Token);
        Assert.Contains("Answer: {{ question }}</textarea>", seed, StringComparison.Ordinal);
        Assert.Contains("Be brief.</textarea>", seed, StringComparison.Ordinal);
        // A reload without a step opens the step the person was last on, with the goal they typed.
        var objective = await client.GetStringAsync("/Experiments/New?step=1", cts.Token);
        Assert.Contains("Answer billing questions.</textarea>", objective, StringComparison.Ordinal);
        Assert.Contains("Step 2 of 7: Rubric", await client.GetStringAsync(Page, cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_RubricWeightsNotSummingToOneAndAMissingLabel_EachSaidBesideItsField()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);

        var fields = Criterion(0, "Accuracy", "0.5").Where(f => f.Key != "Input.Criteria[0].Labels[2]").ToArray();
        var html = await PostStepAsync(client, 2, "next", cts.Token, fields);

        Assert.Contains("The criteria&#x27;s weights must sum to 1; they sum to 0.5.", html, StringComparison.Ordinal);
        Assert.Matches(LabelErrors(), html);
        Assert.Contains("Step 2 of 7: Rubric", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmxNext_AnswersTheWizardPartialAndPushesTheStepUrl()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);
        var token = await SecureWebFixture.TokenAsync(client, Page, cts.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, StepUrl)
        {
            Content = SecureWebFixture.Form(token, ("Input.Step", "1"), ("nav", "next"), ("Input.Name", "Htmx"), ("Input.Goal", "Answer.")),
        };
        request.Headers.Add("HX-Request", "true");

        using var response = await client.SendAsync(request, cts.Token);
        var html = await response.Content.ReadAsStringAsync(cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("<div id=\"wizard\"", html.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("<html", html, StringComparison.Ordinal);
        Assert.Contains("<h2 id=\"wizard-heading\" tabindex=\"-1\">Step 2 of 7: Rubric</h2>", html, StringComparison.Ordinal);
        Assert.Equal("/Experiments/New?step=2", Assert.Single(response.Headers.GetValues("HX-Push-Url")));
    }

    [Fact]
    public async Task ModelsStep_AnEditorTypingAKey_IsToldOnlyAdminsAddKeys_AndNothingIsStored()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);

        await PostStepAsync(client, 1, "template", cts.Token, ("Input.Name", ""), ("Input.Goal", ""), ("template", "classification"));
        var refused = await PostStepAsync(client, 5, "next", cts.Token, ("Input.NewBaseUrl", "https://llm.example.test/v1"),
            ("Input.NewApiKey", "sk-editor-may-not-add"), ("Input.Models[0]", "gpt-4o-mini"));

        Assert.Contains("Only a project admin can add a provider key", refused, StringComparison.Ordinal);
        Assert.Contains("Step 5 of 7", refused, StringComparison.Ordinal);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM provider_credentials WHERE key_last4 = '-add'",
            cancellationToken: cts.Token)));
    }

    [Fact]
    public async Task Template_ThenReviewAndCreate_StoresTheTemplatesExperimentWithTheNewCredential()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Adding a provider key is an admin's to do (it spends the team's money); an editor is refused (the test above).
        using var client = await MemberAsync("admin", cts.Token);

        var filled = await PostStepAsync(client, 1, "template", cts.Token, ("Input.Name", ""), ("Input.Goal", ""), ("template", "classification"));
        Assert.Contains("Filled every step from the &quot;Ticket classification&quot; template (version 1)", filled, StringComparison.Ordinal);
        var judges = await PostStepAsync(client, 5, "next", cts.Token, ("Input.NewBaseUrl", "https://llm.example.test/v1"),
            ("Input.NewApiKey", "sk-wizard-test-key"), ("Input.Models[0]", "gpt-4o-mini"));
        Assert.Contains("Step 6 of 7: Judges", judges, StringComparison.Ordinal);
        Assert.Contains("Added the credential &quot;llm.example.test", judges, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wizard-test-key", judges, StringComparison.Ordinal);
        Assert.Equal("/Experiments/New?step=7", await RedirectAsync(client, 6, "next", cts.Token, ("Input.Judges[0].Model", "gpt-4o"),
            ("Input.Judges[0].SystemPrompt", "Be strict."), ("Input.Judges[1].Model", "gpt-4o-mini"), ("Input.Judges[1].SystemPrompt", "")));
        Assert.Equal("/Experiments/New?step=8", await RedirectAsync(client, 7, "next", cts.Token, ("Input.MaxIterations", "3"), ("Input.Patience", "2"),
            ("Input.BudgetUsd", "4"), ("Input.KeepChecks", "0"), ("Input.KeepChecks", "1")));
        var review = await client.GetStringAsync("/Experiments/New?step=8", cts.Token);
        Assert.DoesNotContain("id=\"review-errors\"", review, StringComparison.Ordinal);
        Assert.Contains("This run will cost about $", review, StringComparison.Ordinal);
        Assert.Contains("of the $4.00 budget", review, StringComparison.Ordinal);
        // Before the first run: the exact split of the template's 40 cases, and what its 8 validation cases can show.
        Assert.Contains("The 40 test cases split into 24 train, 8 validation and 8 test cases", review, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"review-significance\"", review, StringComparison.Ordinal);
        Assert.Matches(@"With 8 validation cases, a change smaller than [0-9]\.[0-9]{2} points", review);

        var location = await RedirectAsync(client, 8, "create", cts.Token);

        Assert.StartsWith("/Experiments/Details/", location, StringComparison.Ordinal);
        var id = Guid.Parse(location.Split('/')[^1]);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cts.Token);
        var stored = await connection.QuerySingleAsync<(string Name, int Cases, int Judges, string Key)>(new CommandDefinition("""
            SELECT e.name,
                   (SELECT count(*)::int FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.experiment_id = e.id),
                   (SELECT count(*)::int FROM judge_configs WHERE experiment_id = e.id),
                   (SELECT pc.key_last4 FROM model_configs m JOIN provider_credentials pc ON pc.id = m.credential_id WHERE m.experiment_id = e.id)
            FROM experiments e WHERE e.id = @id
            """, new { id }, cancellationToken: cts.Token));
        Assert.Equal(("Ticket classification", 40, 2, "-key"), stored);
        Assert.Empty(await Support.CredentialScenario.RowsContainingAsync(web.Database.DataSource, "sk-wizard-test-key", cts.Token));
        Assert.Contains("Step 1 of 7", await client.GetStringAsync(Page, cts.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnfinishedDraft_ReviewListsEachStepToFixAndCreatesNothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = await EditorAsync(cts.Token);

        var html = await PostStepAsync(client, 8, "create", cts.Token);

        Assert.Contains("id=\"review-errors\"", html, StringComparison.Ordinal);
        Assert.Contains("Step 1, Objective: Give the experiment a name.", html, StringComparison.Ordinal);
        Assert.Contains("Step 5, Models: Choose a credential", html, StringComparison.Ordinal);
    }

    private Task<HttpClient> EditorAsync(CancellationToken cancellationToken) => MemberAsync("editor", cancellationToken);

    private async Task<HttpClient> MemberAsync(string role, CancellationToken cancellationToken)
    {
        var (client, userId) = await web.SignUpAsync($"wizard-{Guid.NewGuid():N}@security.test", cancellationToken);
        await using var connection = await web.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_members (project_id, user_id, role) SELECT id, @userId, @role FROM projects ORDER BY created_at LIMIT 1
            """, new { userId, role }, cancellationToken: cancellationToken));
        return client;
    }

    private static (string Key, string Value)[] Criterion(int i, string name, string weight) =>
    [
        ($"Input.Criteria[{i}].Name", name), ($"Input.Criteria[{i}].Weight", weight), ($"Input.Criteria[{i}].Description", "The answer is right."),
        .. Enumerable.Range(0, 5).Select(l => ($"Input.Criteria[{i}].Labels[{l}]", $"Level {l + 1}")),
    ];

    private static async Task<string> PostStepAsync(HttpClient client, int step, string nav, CancellationToken cancellationToken,
        params (string Key, string Value)[] fields)
    {
        using var response = await PostAsync(client, step, nav, fields, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static async Task<string> RedirectAsync(HttpClient client, int step, string nav, CancellationToken cancellationToken,
        params (string Key, string Value)[] fields)
    {
        using var response = await PostAsync(client, step, nav, fields, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, string.Join(" | ", FieldErrors().Matches(await response.Content.ReadAsStringAsync(cancellationToken))
            .Select(m => m.Groups[1].Value)));
        return response.Headers.Location!.OriginalString;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, int step, string nav, (string Key, string Value)[] fields,
        CancellationToken cancellationToken)
    {
        var token = await SecureWebFixture.TokenAsync(client, Page, cancellationToken);
        return await client.PostAsync(StepUrl, SecureWebFixture.Form(token, [("Input.Step", step.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("nav", nav), .. fields]), cancellationToken);
    }

    [GeneratedRegex("<li>([^<]*)</li>")]
    private static partial Regex FieldErrors();

    [GeneratedRegex("""<div id="name-errors">\s*<div role="alert">\s*<ul class="field-errors">\s*<li>Give the experiment a name\.</li>""")]
    private static partial Regex NameErrors();

    [GeneratedRegex("""<div id="criterion-0-label-2-errors">\s*<div role="alert">\s*<ul class="field-errors">\s*<li>Say what an answer scored 3 looks like\.</li>""")]
    private static partial Regex LabelErrors();
}
