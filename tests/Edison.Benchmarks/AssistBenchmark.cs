using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edison.Core.Assist;
using Edison.Core.Llm;
using Edison.Testing.Simulator;

namespace Edison.Benchmarks;

/// <summary>
/// Click-to-first-assist-token against the real web app (Kestrel on a loopback port, signed in as the owner), the project's
/// assist model a simulator tenant that answers at once (no configured latency). One sample is what the wizard's assist
/// button does: the htmx POST that records the click (?handler=Assist) and answers with the panel, then the panel's
/// EventSource on /events/assist/{id}; the clock runs from sending the POST to reading the first "chunk" event. Every mode
/// streams: Complete its text, Draft (three options) and Improve (a diff with reasons) the readable text of their JSON answer
/// as it arrives; for those two, click → "done" (the structured answer that replaces the preview) is printed as well. The
/// simulator's own first-token time, measured with a plain client straight against it, shows how much of the figure is the
/// provider's.
/// </summary>
internal static partial class AssistBenchmark
{
    private const int WarmUp = 5;
    private const int Samples = 30;
    private const int SlowSamples = 10;
    private const string Model = "sim-assist";
    private const string Continuation = " Every answer names the exact page to open next and the amount that will be refunded.";
    private static readonly string[] DraftOptions = ["First draft.", "Second draft.", "Third draft."];
    private static readonly string[] ImproveReasons = ["Says who it is for."];
    private static readonly TimeSpan SlowModelPause = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        await using var stack = await BenchmarkStack.CreateAsync(settings, cancellationToken);
        Console.WriteLine($"Database {stack.Database.Name}; {Samples} samples per figure after {WarmUp} warm-up clicks; logs in {stack.LogDirectory}");
        await using var simulator = await ProviderSimulator.StartAsync(cancellationToken);
        await using var webApp = await stack.StartWebAppAsync(cancellationToken);
        await using var web = await stack.StartWebSideAsync(cancellationToken);

        using var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = webApp.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await IterationPageBenchmark.SetUpOwnerAsync(client, cancellationToken);
        // A model that writes slowly is a reply that pauses after its first two chunks: the preview must not wait for the rest.
        var slowModel = false;
        var tenant = simulator.CreateTenant().Otherwise(request =>
        {
            var reply = request.SchemaName switch
            {
                nameof(AssistOptionsAnswer) => SimStep.ReplyJson(new { options = DraftOptions }),
                nameof(ImproveAnswer) => SimStep.ReplyJson(new { improved = "An improved goal.", reasons = ImproveReasons }),
                _ => SimStep.Reply(Continuation, inputTokens: 200, outputTokens: 20),
            };
            return slowModel ? SimStep.StallAfterChunks(2, SlowModelPause, reply) : reply;
        });
        await UseAsAssistModelAsync(web, simulator, tenant, cancellationToken);

        var token = await AntiforgeryTokenAsync(client, cancellationToken);
        var sample = 0;
        for (var i = 0; i < WarmUp; i++)
        {
            foreach (var mode in new[] { "Complete", "Draft", "Improve" })
            {
                await ClickAsync(client, token, mode, sample++, cancellationToken);
            }
        }

        var complete = new List<double>();
        var toProvider = new List<double>();
        var (draft, draftDone) = (new List<double>(), new List<double>());
        var (improve, improveDone) = (new List<double>(), new List<double>());
        for (var i = 0; i < Samples; i++)
        {
            var (firstToken, _, sentAt) = await ClickAsync(client, token, "Complete", sample++, cancellationToken);
            complete.Add(firstToken);
            toProvider.Add((tenant.Requests[^1].ArrivedAt - sentAt).TotalMilliseconds);
            var drafted = await ClickAsync(client, token, "Draft", sample++, cancellationToken);
            draft.Add(drafted.FirstToken);
            draftDone.Add(drafted.Done);
            var improved = await ClickAsync(client, token, "Improve", sample++, cancellationToken);
            improve.Add(improved.FirstToken);
            improveDone.Add(improved.Done);
        }

        slowModel = true;
        var (slowFirst, slowDone) = (new List<double>(), new List<double>());
        for (var i = 0; i < SlowSamples; i++)
        {
            var drafted = await ClickAsync(client, token, "Draft", sample++, cancellationToken);
            slowFirst.Add(drafted.FirstToken);
            slowDone.Add(drafted.Done);
        }

        slowModel = false;
        var providerAlone = await SimulatorFirstTokenAsync(simulator, tenant, cancellationToken);

        Console.WriteLine();
        Console.WriteLine("| figure | n | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(Row("Complete: click → first token at the page (\"chunk\" event)", complete));
        Console.WriteLine(Row("  of which click → request at the provider", toProvider));
        Console.WriteLine(Row("Draft (3 options): click → first token of the preview (\"chunk\" event)", draft));
        Console.WriteLine(Row("Draft (3 options): click → the options to pick from (\"done\")", draftDone));
        Console.WriteLine(Row("Improve: click → first token of the preview (\"chunk\" event)", improve));
        Console.WriteLine(Row("Improve: click → the diff with reasons (\"done\")", improveDone));
        Console.WriteLine(Row(Invariant($"Draft, model pausing {SlowModelPause.TotalMilliseconds:0} ms after 2 chunks: click → first token"), slowFirst));
        Console.WriteLine(Row(Invariant($"Draft, model pausing {SlowModelPause.TotalMilliseconds:0} ms after 2 chunks: click → \"done\""), slowDone));
        Console.WriteLine(Row("Simulator alone (0 ms configured): request → first token, plain client", providerAlone));
        Console.WriteLine();
        Console.WriteLine(Invariant($"Target: first tokens within 1,000 ms of the click. The web log is {webApp.LogPath}."));
        return 0;
    }

    /// <summary>Stores a credential for the tenant and makes it the default project's assist model, as an admin does in Settings.</summary>
    private static async Task UseAsAssistModelAsync(WebSide web, ProviderSimulator simulator, SimTenant tenant, CancellationToken cancellationToken)
    {
        var owner = await web.OwnerAsync(cancellationToken);
        var projectId = await web.Experiments.DefaultProjectIdAsync(cancellationToken);
        var change = await web.Services.GetRequiredService<CredentialService>().CreateAsync(owner, projectId,
            new CredentialDraft("bench assist", ProviderKinds.OpenAICompatible, simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey), cancellationToken);
        var credentialId = change.Id ?? throw new InvalidOperationException(change.Error);
        if (await web.Services.GetRequiredService<AssistSettingsStore>().SetAsync(owner, projectId, new AssistModelSetting(credentialId, Model),
                cancellationToken) is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var html = await client.GetStringAsync(new Uri("Experiments/New?step=1", UriKind.Relative), cancellationToken);
        return TokenPattern().Match(html) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("No antiforgery token on the wizard's first step.");
    }

    /// <summary>
    /// One click on the goal's assist button, as htmx sends it, then the panel's event stream; returns the time from sending the
    /// POST to the first "chunk" event and to "done". Each click's goal differs, so no answer comes from the response cache.
    /// </summary>
    private static async Task<(double FirstToken, double Done, DateTimeOffset SentAt)> ClickAsync(HttpClient client, string token, string mode, int sample,
        CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Step"] = "1", ["Input.Name"] = "Assist benchmark", ["Input.DraftBudgetUsd"] = "1",
            ["Input.Goal"] = Invariant($"Answer customers' billing questions (sample {sample}) correctly and kindly."),
            ["__RequestVerificationToken"] = token,
        });
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri($"Experiments/New?handler=Assist&field=Goal&mode={mode}", UriKind.Relative))
        {
            Content = form,
        };
        post.Headers.Add("HX-Request", "true");
        var sentAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var clicked = await client.SendAsync(post, cancellationToken);
        var panel = await clicked.Content.ReadAsStringAsync(cancellationToken);
        if (clicked.StatusCode != HttpStatusCode.OK || StreamPattern().Match(panel) is not { Success: true } stream)
        {
            throw new InvalidOperationException($"The {mode} click answered {(int)clicked.StatusCode} without an event stream: {panel[..Math.Min(300, panel.Length)]}");
        }

        using var events = new HttpRequestMessage(HttpMethod.Get, new Uri(WebUtility.HtmlDecode(stream.Groups[1].Value).TrimStart('/'), UriKind.Relative));
        events.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        await ReadEventAsync(reader, "chunk", cancellationToken);
        var firstToken = clock.Elapsed.TotalMilliseconds;
        await ReadEventAsync(reader, "done", cancellationToken);
        var done = clock.Elapsed.TotalMilliseconds;

        // Outside the clock: the answer the page then fetches must be an answer, not an error.
        var assistId = AssistIdPattern().Match(stream.Groups[1].Value).Value;
        var outcome = await client.GetStringAsync(new Uri($"Experiments/New?handler=AssistResult&assistId={assistId}", UriKind.Relative), cancellationToken);
        if (outcome.Contains("role=\"alert\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The {mode} assist answered with an error: {outcome}");
        }

        return (firstToken, done, sentAt);
    }

    private static async Task ReadEventAsync(StreamReader reader, string eventName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == $"event: {eventName}")
            {
                return;
            }
        }

        throw new InvalidOperationException($"The assist stream ended before a '{eventName}' event.");
    }

    /// <summary>The simulator's own first-token time: a streamed completion requested straight from it, timed to its first chunk.</summary>
    private static async Task<List<double>> SimulatorFirstTokenAsync(ProviderSimulator simulator, SimTenant tenant, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var completions = new Uri(simulator.OpenAIBaseUrl.ToString().TrimEnd('/') + "/chat/completions");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        var samples = new List<double>();
        for (var i = 0; i < WarmUp + Samples; i++)
        {
            var json = JsonSerializer.Serialize(new { model = Model, stream = true, messages = new[] { new { role = "user", content = $"Complete this, sample {i}." } } });
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, completions) { Content = content };
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(body);
            // The stream opens with an empty role delta; the first token is the first delta with text.
            while (await reader.ReadLineAsync(cancellationToken) is { } line && !TokenDeltaPattern().IsMatch(line))
            {
            }

            if (i >= WarmUp)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }

            await reader.ReadToEndAsync(cancellationToken);
        }

        return samples;
    }

    private static string Row(string name, List<double> samples)
    {
        var s = new LatencySummary(name, samples, "");
        return Invariant($"| {name} | {s.Milliseconds.Count} | {s.P50:0.0} | {s.P95:0.0} | {s.Max:0.0} |");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("sse-connect=\"([^\"]+)\"")]
    private static partial Regex StreamPattern();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex AssistIdPattern();

    [GeneratedRegex("\"content\":\"[^\"]")]
    private static partial Regex TokenDeltaPattern();
}
