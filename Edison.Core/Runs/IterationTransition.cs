namespace Edison.Core.Runs;

/// One named step of the iteration state machine: from any of <paramref name="From"/> to <paramref name="To"/>.
internal sealed record IterationTransition(string Name, string To, params string[] From)
{
    public bool Ends => IterationStatus.IsTerminal(To);

    public bool Allows(string from) => From.Contains(from, StringComparer.Ordinal);
}
