using System.Text.Json;
using Edison.Core.Prompts;

namespace Edison.Core.Tests.Prompts;

public sealed class PromptTemplateTests
{
    [Fact]
    public void TryParse_SeveralVariables_FoundInOrderOfFirstUse()
    {
        var template = Parse("Answer {{ question }} for {{ audience }}, again {{ question }}, in {{ language | upcase }}.");

        Assert.Equal(["question", "audience", "language"], template.Variables);
    }

    [Fact]
    public void TryParse_ForLoop_CollectionIsVariableAndLoopVariableIsNot()
    {
        var template = Parse("{% for ex in examples %}Q: {{ ex.q }} A: {{ ex.a }} ({{ forloop.index }})\n{% endfor %}Q: {{ question }}");

        Assert.Equal(["examples", "question"], template.Variables);
    }

    [Fact]
    public void TryParse_LoopBetweenOutputs_KeepsOrderOfFirstUse()
    {
        var template = Parse("{{ intro }}{% for ex in examples %}{{ ex.q }}{% endfor %}{{ question }}");

        Assert.Equal(["intro", "examples", "question"], template.Variables);
    }

    [Fact]
    public void TryParse_MemberAccess_VariableIsTheRoot()
    {
        var template = Parse("{{ user.name }} / {{ user.age }}");

        Assert.Equal(["user"], template.Variables);
    }

    [Fact]
    public void TryParse_SyntaxError_ReadableMessageAndNoTemplate()
    {
        var ok = PromptTemplate.TryParse("Hello {% for x in xs %}{{ x }}", out var template, out var error);

        Assert.False(ok);
        Assert.Null(template);
        Assert.NotNull(error);
        Assert.StartsWith("The template has a syntax error:", error, StringComparison.Ordinal);
        Assert.True(error.Length > "The template has a syntax error:".Length + 5, error);
    }

    [Fact]
    public void TryParse_UnclosedOutput_Fails()
    {
        Assert.False(PromptTemplate.TryParse("Hello {{ name", out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void TryParse_Null_Throws() => Assert.Throws<ArgumentNullException>(() => PromptTemplate.TryParse(null!, out _, out _));

    [Fact]
    public void Render_String_InsertedAsIs()
    {
        var text = Parse("Q: {{ question }}").Render(Values("""{"question": "Why is the sky <blue> & bright?"}"""));

        Assert.Equal("Q: Why is the sky <blue> & bright?", text);
    }

    [Fact]
    public void Render_Numbers_IntegerAndDecimal()
    {
        var text = Parse("{{ n }} items at {{ price }}").Render(Values("""{"n": 3, "price": 2.5}"""));

        Assert.Equal("3 items at 2.5", text);
    }

    [Fact]
    public void Render_Boolean_AsLiquidBoolean()
    {
        var text = Parse("{% if strict %}strict{% else %}lenient{% endif %}").Render(Values("""{"strict": true}"""));

        Assert.Equal("strict", text);
    }

    [Fact]
    public void Render_ArrayOfStrings_LoopsAndJoins()
    {
        var template = Parse("{% for t in tags %}[{{ t }}]{% endfor %} {{ tags | join: ', ' }} {{ tags.size }}");

        var text = template.Render(Values("""{"tags": ["a", "b", "c"]}"""));

        Assert.Equal("[a][b][c] a, b, c 3", text);
    }

    [Fact]
    public void Render_Object_MemberAccess()
    {
        var text = Parse("{{ user.name }} ({{ user.age }})").Render(Values("""{"user": {"name": "Ada", "age": 36}}"""));

        Assert.Equal("Ada (36)", text);
    }

    [Fact]
    public void Render_FewShotArrayOfObjects_EachExampleRendered()
    {
        var template = Parse("{% for ex in examples %}Q: {{ ex.q }} A: {{ ex.a }}\n{% endfor %}Q: {{ question }}");

        var text = template.Render(Values("""{"examples": [{"q": "1+1", "a": "2"}, {"q": "2+2", "a": "4"}], "question": "3+3"}"""));

        Assert.Equal("Q: 1+1 A: 2\nQ: 2+2 A: 4\nQ: 3+3", text);
    }

    [Fact]
    public void Render_MissingVariable_RendersEmpty()
    {
        var text = Parse("[{{ absent }}]").Render(Values("{}"));

        Assert.Equal("[]", text);
    }

    [Fact]
    public void MissingVariables_CaseLacksSome_ListsThemInTemplateOrder()
    {
        var template = Parse("{{ a }} {{ b }} {% for x in c %}{{ x }}{% endfor %} {{ d }}");

        var missing = template.MissingVariables(Values("""{"b": 1, "z": 2}"""));

        Assert.Equal(["a", "c", "d"], missing);
    }

    [Fact]
    public void MissingVariables_CaseHasAll_Empty()
    {
        var template = Parse("{{ a }} {{ b }}");

        Assert.Empty(template.MissingVariables(Values("""{"a": 1, "b": null}""")));
    }

    private static PromptTemplate Parse(string text)
    {
        Assert.True(PromptTemplate.TryParse(text, out var template, out var error), error);
        return template!;
    }

    private static Dictionary<string, JsonElement> Values(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
