namespace Edison.Web.Pages.Experiments.Wizard;

/// The wizard's steps in order; Review comes after the seven authoring steps.
public static class WizardSteps
{
    public const int Objective = 1;
    public const int Rubric = 2;
    public const int SeedPrompt = 3;
    public const int TestData = 4;
    public const int Models = 5;
    public const int Judges = 6;
    public const int StopRules = 7;
    public const int Review = 8;
    public const int Authoring = 7;

    public static readonly IReadOnlyList<string> Titles =
        ["Objective", "Rubric", "Seed prompt", "Test data", "Models", "Judges", "Stop rules & budget", "Review"];

    public static string Title(int step) => Titles[Clamp(step) - 1];

    public static int Clamp(int step) => Math.Clamp(step, Objective, Review);

    /// Which step shows an error of the stored definition's property.
    public static int OfDefinitionKey(string key) => key switch
    {
        "Name" or "Goal" => Objective,
        "Rubric" => Rubric,
        "PromptTemplate" or "SystemText" => SeedPrompt,
        "Cases" => TestData,
        "Models" => Models,
        "Judges" or "Refiner" => Judges,
        _ => StopRules,
    };
}
