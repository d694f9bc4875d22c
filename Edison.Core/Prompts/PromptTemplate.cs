using System.Text.Json;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;

namespace Edison.Core.Prompts;

/// <summary>A Liquid prompt template (<c>{{ variable }}</c>, loops for few-shot examples), parsed once.</summary>
public sealed partial class PromptTemplate
{
    private static readonly FluidParser Parser = new();
    private const string DeadlineKey = "edison.deadline";
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly IFluidTemplate _template;

    private PromptTemplate(string text, IFluidTemplate template, IReadOnlyList<string> variables)
    {
        Text = text;
        _template = template;
        Variables = variables;
    }

    /// <summary>How many of a definition's cases are rendered when its prompt is checked before saving.</summary>
    public const int SaveCheckCases = 20;

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

    /// <summary>
    /// Parses the template and renders it once without variables under the <see cref="TemplateLimits"/>, as a prompt is checked
    /// before it is saved: a loop over a literal range that never ends is refused here, with the reason.
    /// </summary>
    public static bool TryParseForSave(string text, out PromptTemplate? template, out string? error)
    {
        if (!TryParse(text, out template, out error))
        {
            return false;
        }

        if (!template!.TryRender(new Dictionary<string, JsonElement>(), out _, out error))
        {
            template = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Renders the template with a case's input variables (strings as-is, other JSON as JSON), bounded by
    /// <see cref="TemplateLimits"/>; throws <see cref="TemplateLimitException"/> when a limit stops it.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in values)
        {
            context.SetValue(name, ToFluid(value));
        }

        var deadline = Environment.TickCount64 + (long)TemplateLimits.Timeout.TotalMilliseconds;
        context.AmbientValues[DeadlineKey] = deadline;
        using var writer = new BoundedWriter(deadline);
        try
        {
            var rendering = _template.RenderAsync(writer, context, NullEncoder.Default);
            if (!rendering.IsCompletedSuccessfully)
            {
                rendering.AsTask().GetAwaiter().GetResult();
            }
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("The maximum ", StringComparison.Ordinal))
        {
            // Fluid stops at MaxSteps with one of its two "maximum" messages (which one depends on the statement).
            throw new TemplateLimitException(
                $"The template ran more than {TemplateLimits.MaxSteps:N0} steps (a loop that is too long or never ends).", ex);
        }

        return writer.ToString();
    }

    /// <summary>Renders like <see cref="Render"/>, or returns in words why the render stopped.</summary>
    public bool TryRender(IReadOnlyDictionary<string, JsonElement> values, out string? rendered, out string? error)
    {
        try
        {
            rendered = Render(values);
            error = null;
            return true;
        }
        catch (TemplateLimitException ex)
        {
            rendered = null;
            error = ex.Message;
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            rendered = null;
            error = $"The template does not render: {ex.Message}";
            return false;
        }
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

    // The default member strategy: values are Fluid values made from JSON, so no .NET object's members are reachable.
    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions { MaxSteps = TemplateLimits.MaxSteps };
        // Every filter's result is measured, so a string doubled by assign/append in a loop stops at the output cap, not in memory.
        foreach (var (name, filter) in options.Filters.ToList())
        {
            options.Filters.AddFilter(name, (input, arguments, context) => Checked(filter(input, arguments, context), context));
        }

        return options;
    }

    private static async ValueTask<FluidValue> Checked(ValueTask<FluidValue> pending, TemplateContext context)
    {
        var value = await pending;
        CheckDeadline(context.AmbientValues.TryGetValue(DeadlineKey, out var deadline) ? (long)deadline : long.MaxValue);
        if (value is StringValue text && text.ToStringValue().Length > TemplateLimits.MaxOutputChars)
        {
            throw OutputTooLong();
        }

        return value;
    }

    private static void CheckDeadline(long deadline)
    {
        if (Environment.TickCount64 > deadline)
        {
            throw new TemplateLimitException($"The template took longer than {TemplateLimits.Timeout.TotalSeconds:0.#} s to render.");
        }
    }

    private static TemplateLimitException OutputTooLong() =>
        new($"The rendered prompt is longer than {TemplateLimits.MaxOutputChars:N0} characters.");

    /// Collects the render and stops it at the output cap or the deadline.
    private sealed class BoundedWriter(long deadline) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            Check(1);
            base.Write(value);
        }

        public override void Write(string? value)
        {
            Check(value?.Length ?? 0);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Check(count);
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char[] buffer, int index, int count)
        {
            Write(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return Task.CompletedTask;
        }

        private void Check(int adding)
        {
            if (GetStringBuilder().Length + (long)adding > TemplateLimits.MaxOutputChars)
            {
                throw OutputTooLong();
            }

            CheckDeadline(deadline);
        }
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
