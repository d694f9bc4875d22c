namespace Edison.Core.Jobs;

/// <summary>Quartz trigger priorities: a person waiting on a click goes before queued bulk work.</summary>
public enum JobPriority
{
    /// <summary>Bulk work such as a chunk of cases.</summary>
    Chunk = 5,

    /// <summary>Work a person is waiting for: start, assist, test connection.</summary>
    Interactive = 10,
}
