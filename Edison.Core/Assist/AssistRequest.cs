namespace Edison.Core.Assist;

/// <summary>One assist action on one field: the goal gives context, <see cref="CurrentText"/> is what the field holds now.</summary>
public sealed record AssistRequest(AssistTarget Target, AssistField Field, AssistMode Mode, string Goal, string CurrentText)
{
    /// <summary>Other fields that help (the rubric when drafting a judge prompt, the prompt when drafting cases…).</summary>
    public string Context { get; init; } = "";
}
