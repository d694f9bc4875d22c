namespace Edison.Core.Datasets.Browse;

/// <summary>One page of matching cases and how many match in all.</summary>
public sealed record CasePage(IReadOnlyList<DatasetCase> Items, int Total, int Page)
{
    /// <summary>The number of pages (at least 1).</summary>
    public int Pages => Math.Max(1, (Total + CaseQuery.PageSize - 1) / CaseQuery.PageSize);
}
