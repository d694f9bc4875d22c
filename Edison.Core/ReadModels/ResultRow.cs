namespace Edison.Core.ReadModels;

/// <summary>One case × model × sample of the grid: the answer and what its judges made of it.</summary>
public sealed class ResultRow
{
    /// <summary>The output's id, or null while it is not answered yet.</summary>
    public Guid? OutputId { get; init; }

    /// <summary>1-based case position.</summary>
    public int Position { get; init; }

    /// <summary>The model that answered.</summary>
    public string Model { get; init; } = "";

    /// <summary>The sample index.</summary>
    public int Sample { get; init; }

    /// <summary>The case's variables as JSON.</summary>
    public string Input { get; init; } = "{}";

    /// <summary>The case's tags.</summary>
    public string[] Tags { get; init; } = [];

    /// <summary>The case's split.</summary>
    public string Split { get; init; } = "";

    /// <summary>succeeded, failed, or null when not answered yet.</summary>
    public string? OutputStatus { get; init; }

    /// <summary>The answer text.</summary>
    public string? Output { get; init; }

    /// <summary>Why the answer failed.</summary>
    public string? OutputError { get; init; }

    /// <summary>Whether the answer was cut off.</summary>
    public bool Truncated { get; init; }

    /// <summary>The mean composite of the succeeded judgments.</summary>
    public double? Score { get; init; }

    /// <summary>The spread of the judges' composites.</summary>
    public double? Spread { get; init; }

    /// <summary>Succeeded judgments.</summary>
    public int Judged { get; init; }

    /// <summary>Failed judgments.</summary>
    public int JudgeFailures { get; init; }

    /// <summary>Safety and PII flags on the answer.</summary>
    public string[] Flags { get; init; } = [];
}
