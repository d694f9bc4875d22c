namespace Edison.Testing.Simulator;

/// <summary>One chat message of a recorded request, with its text parts joined.</summary>
public sealed record SimMessage(string Role, string Text);
