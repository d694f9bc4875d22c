namespace Edison.IntegrationTests.Llm;

/// <summary>
/// A fact that runs only against a real provider whose key or URL is in the environment, and otherwise reports as skipped
/// with the variable to set (xunit 2 has no dynamic skip).
/// </summary>
public sealed class LiveProviderFactAttribute : FactAttribute
{
    public LiveProviderFactAttribute(string variable)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
        {
            Skip = $"Live provider test: set {variable} to run it against the real service.";
        }
    }
}
