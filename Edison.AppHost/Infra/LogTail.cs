namespace Edison.AppHost.Infra;

/// The last lines a resource printed, kept so a failure report can show why it failed.
internal sealed class LogTail(int capacity)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _lines.Count == 0 ? "    (no output)" : string.Join(Environment.NewLine, _lines.Select(l => "    | " + l));
        }
    }
}
