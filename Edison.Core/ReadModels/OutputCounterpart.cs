namespace Edison.Core.ReadModels;

/// <summary>Another answer to the same case in the same experiment: by another model, another sample or another prompt version.</summary>
public sealed record OutputCounterpart(Guid Id, int IterationNumber, int Version, string Model, int Sample, string Status, string Text)
{
    /// <summary>How a person picks it: "iteration 2 (v2) · gpt-4o-mini".</summary>
    public string Label => $"iteration {IterationNumber} (v{Version}) · {Model}{(Sample > 0 ? $", sample {Sample + 1}" : "")}";
}
