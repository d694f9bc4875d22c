using System.Globalization;
using System.Text.Json.Nodes;
using Edison.Core.Security;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Edison.Web.Api;

/// Turns a YAML document into the JSON it stands for, so a YAML experiment definition binds exactly like a JSON one.
/// Plain (unquoted) scalars become numbers, booleans and null where they read as such; quoted ones stay strings.
internal static class YamlJson
{
    public static JsonNode? Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            CheckLimits(yaml);
            stream.Load(new StringReader(yaml));
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections instead of a positioned YamlException.
            throw new YamlException("the document is malformed (an unterminated [ or { ?)", ex);
        }

        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>
    /// Walks the document's events (YamlDotNet's parser is a loop, not a recursion) and refuses it before any node is built when
    /// it nests deeper than <see cref="InputLimits.MaxDepth"/>, holds more than <see cref="InputLimits.MaxYamlNodes"/> nodes,
    /// or uses an anchor or alias (an alias bomb expands exponentially; the deserialiser recurses once per level).
    /// </summary>
    private static void CheckLimits(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var (depth, nodes) = (0, 0);
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case AnchorAlias alias:
                    throw new YamlException(alias.Start, alias.End, "Anchors and aliases are not supported.");
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    throw new YamlException(anchored.Start, anchored.End, "Anchors and aliases are not supported.");
                case MappingStart or SequenceStart when ++depth > InputLimits.MaxDepth:
                    throw new YamlException(parser.Current.Start, parser.Current.End,
                        $"The document nests deeper than the limit of {InputLimits.MaxDepth} levels.");
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }

            if (parser.Current is NodeEvent && ++nodes > InputLimits.MaxYamlNodes)
            {
                throw new YamlException(parser.Current.Start, parser.Current.End, $"The document has more than {InputLimits.MaxYamlNodes:N0} nodes.");
            }
        }
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(
            kv.Key is YamlScalarNode { Value: { } key } ? key : throw new YamlException(kv.Key.Start, kv.Key.End, "Keys must be plain text."),
            Convert(kv.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException(node.Start, node.End, "Anchors and aliases are not supported."),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value ?? "");
        }

        return value switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) => JsonValue.Create(real),
            _ => JsonValue.Create(value),
        };
    }
}
