namespace Edison.Core.Datasets.Import;

/// <summary>The mapping step of a CSV import: the role of each column, by header. Unmapped columns are ignored.</summary>
public sealed record ColumnMapping(IReadOnlyDictionary<string, ColumnRole> Columns)
{
    private static readonly Dictionary<string, ColumnRole> KnownHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["expected"] = ColumnRole.ExpectedOutput,
        ["expected_output"] = ColumnRole.ExpectedOutput,
        ["expected output"] = ColumnRole.ExpectedOutput,
        ["reference"] = ColumnRole.ExpectedOutput,
        ["tags"] = ColumnRole.Tags,
        ["tag"] = ColumnRole.Tags,
        ["difficulty"] = ColumnRole.Difficulty,
        ["split"] = ColumnRole.Split,
    };

    /// <summary>The prefix that makes a column a variable whatever follows: <c>input.tags</c> is the variable <c>tags</c>.</summary>
    public const string VariablePrefix = "input.";

    /// <summary>The template variable a column mapped to <see cref="ColumnRole.Variable"/> fills: the header without <see cref="VariablePrefix"/>.</summary>
    public static string VariableName(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header.StartsWith(VariablePrefix, StringComparison.Ordinal) && header.Length > VariablePrefix.Length ? header[VariablePrefix.Length..] : header;
    }

    /// <summary>The column a variable is exported under: prefixed when its name is a header with another role, or already prefixed.</summary>
    public static string ColumnOf(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return KnownHeaders.ContainsKey(variable.Trim()) || variable.StartsWith(VariablePrefix, StringComparison.Ordinal) ? VariablePrefix + variable : variable;
    }

    /// <summary>The role of <paramref name="header"/>; <see cref="ColumnRole.Ignore"/> when unmapped.</summary>
    public ColumnRole RoleOf(string header) => Columns.TryGetValue(header, out var role) ? role : ColumnRole.Ignore;

    /// <summary>A first guess for the mapping page: known headers get their role, every other column is a variable.</summary>
    public static ColumnMapping Suggest(IEnumerable<string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var columns = new Dictionary<string, ColumnRole>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            columns[header] = KnownHeaders.TryGetValue(header.Trim(), out var role) ? role : ColumnRole.Variable;
        }

        return new ColumnMapping(columns);
    }
}
