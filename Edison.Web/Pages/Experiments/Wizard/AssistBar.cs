namespace Edison.Web.Pages.Experiments.Wizard;

/// The Draft / Complete / Improve buttons under one free-text field, and the panel their results stream into.
public sealed record AssistBar(string Path, string Label)
{
    public string Slug => Ids.Of(Path);

    public string PanelId => $"assist-{Slug}";
}
