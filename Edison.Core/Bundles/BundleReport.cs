using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace Edison.Core.Bundles;

/// A self-contained HTML page (no script, no external asset) that a person can read without Edison: the goal, every prompt
/// version with its lineage, each iteration's score as a bar chart, and the suggestions with their reviews.
/// Core has no Razor, so the page is composed here, with every value HTML-encoded.
internal static class BundleReport
{
    private const int BarWidth = 40;
    private const int ChartHeight = 120;

    public static string Render(IReadOnlyDictionary<string, JsonArray> tables)
    {
        var e = HtmlEncoder.Default;
        var experiment = tables["experiments"][0]!;
        var versions = tables["prompt_versions"].Select(v => v!).ToList();
        var versionOf = versions.ToDictionary(v => Text(v["id"]), v => Number(v["version"]), StringComparer.Ordinal);
        var iterations = tables["iterations"].Select(i => i!).ToList();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(e.Encode(Text(experiment["name"]))).Append("</title></head><body><main><h1>")
            .Append(e.Encode(Text(experiment["name"]))).Append("</h1><p>").Append(e.Encode(Text(experiment["goal"]))).Append("</p>");

        html.Append("<h2>Scores by iteration</h2>");
        var scored = iterations.Select(i => (Number: Number(i["number"]), Score: Score(i["metrics"]))).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-label=\"Mean score per iteration\" width=\"{Math.Max(1, scored.Count) * (BarWidth + 10)}\" height=\"{ChartHeight + 20}\">");
        for (var k = 0; k < scored.Count; k++)
        {
            var height = (int)Math.Round((scored[k].Score ?? 0) / 5.0 * ChartHeight);
            html.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{k * (BarWidth + 10)}\" y=\"{ChartHeight - height}\" width=\"{BarWidth}\" height=\"{height}\" fill=\"#3b6ea5\"><title>Iteration {scored[k].Number}: {scored[k].Score?.ToString("0.00", CultureInfo.InvariantCulture) ?? "no score"}</title></rect>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{k * (BarWidth + 10)}\" y=\"{ChartHeight + 15}\">#{scored[k].Number}</text>");
        }

        html.Append("</svg>");
        html.Append("<table><caption>Iterations</caption><thead><tr><th>#</th><th>Version</th><th>Status</th><th>Mean score</th><th>Cost (USD)</th></tr></thead><tbody>");
        foreach (var i in iterations)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Number(i["number"])}</td><td>v{versionOf.GetValueOrDefault(Text(i["prompt_version_id"]))}</td><td>")
                .Append(e.Encode(Text(i["status"]))).Append("</td><td>")
                .Append(Score(i["metrics"])?.ToString("0.000", CultureInfo.InvariantCulture) ?? "–")
                .Append("</td><td>").Append(e.Encode(i["cost_usd"]?.ToJsonString() ?? "0")).Append("</td></tr>");
        }

        html.Append("</tbody></table><h2>Prompt versions</h2>");
        foreach (var v in versions)
        {
            var parent = v["parent_id"] is null ? "seed" : $"from v{versionOf.GetValueOrDefault(Text(v["parent_id"]))}";
            html.Append(CultureInfo.InvariantCulture, $"<h3>v{Number(v["version"])} ({parent})</h3><p>").Append(e.Encode(Text(v["changelog"])))
                .Append("</p><pre>").Append(e.Encode(Text(v["template"]))).Append("</pre>");
        }

        html.Append("<h2>Suggestions</h2><ul>");
        foreach (var s in tables["suggestions"].Select(s => s!))
        {
            var reviews = tables["reviews"].Count(r => Text(r!["suggestion_id"]) == Text(s["id"]));
            html.Append("<li>").Append(e.Encode(Text(s["status"]))).Append(": ").Append(e.Encode(Text(s["note"])))
                .Append(CultureInfo.InvariantCulture, $" ({reviews} review(s))<pre>").Append(e.Encode(Text(s["unified_diff"]))).Append("</pre></li>");
        }

        html.Append(CultureInfo.InvariantCulture,
            $"</ul><p>{tables["cases"].Count} cases, {tables["outputs"].Count} outputs, {tables["judgments"].Count} judgments, {tables["llm_calls"].Count} LLM calls.</p></main></body></html>");
        return html.ToString();
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    private static double? Score(JsonNode? metrics) =>
        metrics?["meanScore"] is JsonValue value && value.TryGetValue<double>(out var score) ? score : null;

    private static int Number(JsonNode? node) => node?.GetValue<int>() ?? 0;
}
