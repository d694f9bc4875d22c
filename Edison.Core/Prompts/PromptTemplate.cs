using System.Text.Json;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;

namespace Edison.Core.Prompts;

/// <summary>A Liquid prompt template (<c>{{ variable }}</c>, loops for few-shot examples), parsed once.</summary>
public sealed partial class PromptTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IFluidTemplate _template;

    private PromptTemplate(string text, IFluidTemplate template, IReadOnlyList<string> variables)
    {
        Text = text;
        _template = template;
        Variables = variables;
    }

    /// <summary>The template text as written.</summary>
    public string Text { get; }

    /// <summary>The top-level variables the template reads, in order of first use, without loop variables.</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>Parses the template, or returns the parser's error in words.</summary>
    public static bool TryParse(string text, out PromptTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Parser.TryParse(text, out var parsed, out var parseError))
        {
            template = null;
            error = $"The template has a syntax error: {parseError}";
            return false;
        }

        template = new PromptTemplate(text, parsed, FindVariables(text));
        error = null;
        return true;
    }

    /// <summary>The variables the template needs that the case does not have.</summary>
    public IReadOnlyList<string> MissingVariables(IReadOnlyDictionary<string, JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Variables.Where(v => !values.ContainsKey(v)).ToList();
    }

    /// <summary>Renders the template with a case's input variables (strings as-is, other JSON as JSON).</summary>
    public string Render(IReadOnlyDictionary<string, JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in values)
        {
            context.SetValue(name, ToFluid(value));
        }

        return _template.Render(context);
    }

    private static FluidValue ToFluid(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new StringValue(value.GetString() ?? ""),
        JsonValueKind.Number => NumberValue.Create(value.GetDecimal()),
        JsonValueKind.True => BooleanValue.True,
        JsonValueKind.False => BooleanValue.False,
        JsonValueKind.Null or JsonValueKind.Undefined => NilValue.Instance,
        JsonValueKind.Array => new ArrayValue(value.EnumerateArray().Select(ToFluid).ToArray()),
        // Converted member by member: Fluid cannot read JsonElement members, so {{ ex.q }} would render empty.
        _ => new DictionaryValue(new FluidValueDictionaryFluidIndexable(
            value.EnumerateObject().ToDictionary(p => p.Name, p => ToFluid(p.Value), StringComparer.Ordinal))),
    };

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy = new UnsafeMemberAccessStrategy();
        return options;
    }

    private static List<string> FindVariables(string text)
    {
        var loops = ForLoop().Matches(text);
        var loopVariables = loops.Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        return OutputVariable().Matches(text).Select(m => (m.Index, Name: m.Groups[1].Value))
            .Concat(loops.Select(m => (m.Index, Name: m.Groups[2].Value)))
            .OrderBy(m => m.Index)
            .Select(m => m.Name.Split('.')[0])
            .Where(v => !loopVariables.Contains(v) && v is not ("forloop" or "true" or "false" or "nil" or "empty"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    [GeneratedRegex(@"\{\{-?\s*([A-Za-z_][\w\.]*)")]
    private static partial Regex OutputVariable();

    [GeneratedRegex(@"\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_][\w\.]*)")]
    private static partial Regex ForLoop();
}
