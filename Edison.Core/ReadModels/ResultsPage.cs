using System.ComponentModel;

namespace Edison.Core.ReadModels;

/// <summary>One page of the results grid and how many rows match in all.</summary>
[ImmutableObject(true)]
public sealed record ResultsPage(IReadOnlyList<ResultRow> Rows, int Total, int Page)
{
    /// <summary>The number of pages.</summary>
    public int Pages => Math.Max(1, (Total + ResultsFilter.PageSize - 1) / ResultsFilter.PageSize);
}
