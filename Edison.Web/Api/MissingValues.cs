using System.Collections;
using System.Reflection;

namespace Edison.Web.Api;

/// Finds the first value a definition leaves out that its types say is required (a missing list or map becomes an empty one): System.Text.Json leaves a missing non-nullable
/// property null (only C# `required` members and explicit nulls are refused), and Core's guards would then answer 500.
internal static class MissingValues
{
    private const int MaxDepth = 64;

    public static string? FirstIn(object root) => Walk(root, "", 0, new NullabilityInfoContext());

    private static string? Walk(object value, string path, int depth, NullabilityInfoContext nullability)
    {
        if (depth > MaxDepth || value.GetType().Namespace?.StartsWith("Edison.", StringComparison.Ordinal) != true)
        {
            return null;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // Only what a body can set (init or set): a computed property is derived, never read from the body.
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsValueType || property.SetMethod is null)
            {
                continue;
            }

            var info = nullability.Create(property);
            var name = JsonName(path, property.Name);
            var child = property.GetValue(value);
            if (child is null && info.ReadState == NullabilityState.NotNull && Empty(property.PropertyType) is { } empty)
            {
                // A list or map the body leaves out is an empty one (YAML authors omit `tags: []`); validation says if it may not be.
                property.SetValue(value, empty);
                continue;
            }

            if (child is null)
            {
                if (info.ReadState == NullabilityState.NotNull)
                {
                    return name;
                }

                continue;
            }

            if (child is IDictionary dictionary)
            {
                var valueState = info.GenericTypeArguments.Length == 2 ? info.GenericTypeArguments[1].ReadState : NullabilityState.Unknown;
                foreach (DictionaryEntry entry in dictionary)
                {
                    var found = entry.Value is null
                        ? valueState == NullabilityState.NotNull ? $"{name}.{entry.Key}" : null
                        : Walk(entry.Value, $"{name}.{entry.Key}", depth + 1, nullability);
                    if (found is not null)
                    {
                        return found;
                    }
                }
            }
            else if (child is IEnumerable items and not string)
            {
                var elementState = info.ElementType?.ReadState
                    ?? (info.GenericTypeArguments.Length == 1 ? info.GenericTypeArguments[0].ReadState : NullabilityState.Unknown);
                var index = 0;
                foreach (var item in items)
                {
                    var found = item is null
                        ? elementState == NullabilityState.NotNull ? $"{name}[{index}]" : null
                        : Walk(item, $"{name}[{index}]", depth + 1, nullability);
                    if (found is not null)
                    {
                        return found;
                    }

                    index++;
                }
            }
            else if (Walk(child, name, depth + 1, nullability) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static object? Empty(Type type)
    {
        if (type.IsArray)
        {
            return Array.CreateInstance(type.GetElementType()!, 0);
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        var definition = type.GetGenericTypeDefinition();
        if (arguments.Length == 1 && (definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IList<>) || definition == typeof(List<>)))
        {
            return Activator.CreateInstance(typeof(List<>).MakeGenericType(arguments));
        }

        return arguments.Length == 2 && (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>)
            || definition == typeof(Dictionary<,>))
            ? Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))
            : null;
    }

    private static string JsonName(string path, string property)
    {
        var camel = char.ToLowerInvariant(property[0]) + property[1..];
        return path.Length == 0 ? camel : $"{path}.{camel}";
    }
}
