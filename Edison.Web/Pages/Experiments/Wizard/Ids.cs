namespace Edison.Web.Pages.Experiments.Wizard;

/// HTML ids derived from form field paths: "Criteria[0].Labels[2]" → "criteria-0-labels-2".
public static class Ids
{
    public static string Of(string path) => (path ?? "").Replace("].", "-", StringComparison.Ordinal).Replace('[', '-').Replace(']', '-')
        .Replace('.', '-').Trim('-').ToLowerInvariant();
}
