using Edison.Core.Datasets.Import;

namespace Edison.Web.Pages.Datasets;

/// One CSV column on the mapping step: its header and the role the person gave it.
public sealed class MappingColumn
{
    public string Header { get; set; } = "";

    public ColumnRole Role { get; set; }
}
