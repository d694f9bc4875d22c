namespace Edison.Core.Api;

/// <summary>A page of items; <see cref="NextOffset"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Offset, int Limit, int Total)
{
    /// <summary>Where the next page starts, or null when there is none.</summary>
    public int? NextOffset => Offset + Items.Count < Total ? Offset + Items.Count : null;
}
