namespace Edison.Core.Assist;

/// <summary>The model's improved text and its reasons.</summary>
public sealed record ImproveAnswer(string Improved, IReadOnlyList<string> Reasons);
