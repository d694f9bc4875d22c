namespace Edison.Core.Refining;

/// <summary>One few-shot example of a prompt: an input and the output the model should give.</summary>
public sealed record FewShotExample(string Input, string Output);
