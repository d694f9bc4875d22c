namespace Edison.Core.Datasets.Browse;

/// <summary>Which cases of a dataset to list: a text search over inputs and expected outputs, a tag, a split, and a page.</summary>
public sealed record CaseQuery(string? Search = null, string? Tag = null, string? Split = null, int Page = 1)
{
    /// <summary>Cases per page.</summary>
    public const int PageSize = 25;
}
