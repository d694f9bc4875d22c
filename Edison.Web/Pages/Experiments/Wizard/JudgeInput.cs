namespace Edison.Web.Pages.Experiments.Wizard;

/// One LLM judge as the wizard edits it; a row without a model is ignored.
public sealed class JudgeInput
{
    public string Model { get; set; } = "";

    public string SystemPrompt { get; set; } = "";
}
