using System.Diagnostics.CodeAnalysis;
using Edison.Core.Experiments;

namespace Edison.Core.Refining;

/// <summary>Everything the refiner sees about the prompt it improves and how it scored.</summary>
public sealed record RefinerInput
{
    /// <summary>An empty input, to be filled with an object initialiser.</summary>
    public RefinerInput()
    {
    }

    /// <summary>An input with every value given.</summary>
    [SetsRequiredMembers]
    public RefinerInput(string goal, Rubric rubric, PromptFields source, int sourceVersion, IReadOnlyList<string> variables,
        IReadOnlyList<CriterionSummary> weakestCriteria, IReadOnlyList<RefinerExemplar> exemplars, IReadOnlyList<string> judgeSuggestions,
        IReadOnlyList<string> reviewerNotes, IReadOnlyList<EditHistoryEntry> history, double maxChangeFraction = 0.5)
    {
        Goal = goal;
        Rubric = rubric;
        Source = source;
        SourceVersion = sourceVersion;
        Variables = variables;
        WeakestCriteria = weakestCriteria;
        Exemplars = exemplars;
        JudgeSuggestions = judgeSuggestions;
        ReviewerNotes = reviewerNotes;
        History = history;
        MaxChangeFraction = maxChangeFraction;
    }

    /// <summary>The experiment's goal.</summary>
    public required string Goal { get; init; }

    /// <summary>The rubric the judges score against.</summary>
    public required Rubric Rubric { get; init; }

    /// <summary>The prompt version being refined.</summary>
    public required PromptFields Source { get; init; }

    /// <summary>The version number of <see cref="Source"/>.</summary>
    public required int SourceVersion { get; init; }

    /// <summary>The template variables the cases provide; the edited template must keep those it uses.</summary>
    public IReadOnlyList<string> Variables { get; init; } = [];

    /// <summary>The criteria with the lowest mean scores, weakest first.</summary>
    public IReadOnlyList<CriterionSummary> WeakestCriteria { get; init; } = [];

    /// <summary>The worst-scored cases, with the model's output and the judges' rationales.</summary>
    public IReadOnlyList<RefinerExemplar> Exemplars { get; init; } = [];

    /// <summary>Every judge's suggestion, duplicates included (the refiner counts them).</summary>
    public IReadOnlyList<string> JudgeSuggestions { get; init; } = [];

    /// <summary>Notes written by people who reviewed outputs or earlier suggestions.</summary>
    public IReadOnlyList<string> ReviewerNotes { get; init; } = [];

    /// <summary>Earlier edits of the prompt and their measured effect.</summary>
    public IReadOnlyList<EditHistoryEntry> History { get; init; } = [];

    /// <summary>The largest share of the prompt's characters an edit set may change (0.5 = half).</summary>
    public double MaxChangeFraction { get; init; } = 0.5;
}
