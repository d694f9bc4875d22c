using System.Diagnostics;
using System.Text;

namespace Edison.Testing;

/// <summary>Drains a child process's stdout and stderr (a full pipe would block it) and keeps the latest lines for diagnostics.</summary>
internal sealed class ProcessOutput
{
    private const int MaxLines = 20_000;
    private readonly Lock _lock = new();
    private readonly Queue<string> _lines = new();

    public ProcessOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data is null ? null : "[stderr] " + e.Data);
    }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                var text = new StringBuilder();
                foreach (var line in _lines)
                {
                    text.AppendLine(line);
                }

                return text.ToString();
            }
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
