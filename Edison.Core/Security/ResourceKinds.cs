namespace Edison.Core.Security;

/// <summary>The kinds of resource whose project <see cref="ProjectAccess.ProjectOfAsync"/> can find.</summary>
public static class ResourceKinds
{
    /// <summary>A project itself.</summary>
    public const string Project = "project";

    /// <summary>An experiment.</summary>
    public const string Experiment = "experiment";

    /// <summary>An iteration of an experiment.</summary>
    public const string Iteration = "iteration";

    /// <summary>A refiner's suggestion.</summary>
    public const string Suggestion = "suggestion";

    /// <summary>A model's output for one case.</summary>
    public const string Output = "output";

    /// <summary>A prompt version.</summary>
    public const string PromptVersion = "prompt-version";

    /// <summary>A dataset.</summary>
    public const string Dataset = "dataset";

    /// <summary>A provider credential.</summary>
    public const string Credential = "credential";

    /// <summary>A model run of an iteration.</summary>
    public const string ModelRun = "model-run";

    /// <summary>A run that generates test cases.</summary>
    public const string GenerationRun = "generation-run";
}
