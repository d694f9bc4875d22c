using System.Globalization;
using System.Text.Json;
using Bogus;

namespace Edison.Core.Generation;

/// <summary>
/// Fills variables whose name asks for a name, email, address, date or amount with realistic values (Bogus, seeded) when the
/// model left them empty or as a placeholder, so generated cases do not all greet "John Doe".
/// </summary>
public sealed class BogusFiller
{
    private readonly Faker _faker;

    /// <summary>A filler whose values are reproducible for <paramref name="seed"/>.</summary>
    public BogusFiller(int seed) => _faker = new Faker("en") { Random = new Randomizer(seed) };

    /// <summary>The realistic-value kind a variable name asks for, or null.</summary>
    public static string? KindOf(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var name = variable.ToLowerInvariant();
        return name switch
        {
            _ when name.Contains("email", StringComparison.Ordinal) || name.Contains("e_mail", StringComparison.Ordinal) => "email",
            _ when name.Contains("address", StringComparison.Ordinal) => "address",
            _ when name.Contains("date", StringComparison.Ordinal) || name.EndsWith("_at", StringComparison.Ordinal) => "date",
            _ when name.Contains("amount", StringComparison.Ordinal) || name.Contains("price", StringComparison.Ordinal)
                || name.Contains("total", StringComparison.Ordinal) => "amount",
            _ when name.Contains("name", StringComparison.Ordinal) || name is "customer" or "user" or "person" => "name",
            _ => null,
        };
    }

    /// <summary>The variables with empty or placeholder values of a known kind replaced.</summary>
    public Dictionary<string, JsonElement> Fill(IReadOnlyDictionary<string, JsonElement> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var filled = new Dictionary<string, JsonElement>(variables, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (KindOf(name) is { } kind && IsPlaceholder(value))
            {
                filled[name] = JsonSerializer.SerializeToElement(Value(kind));
            }
        }

        return filled;
    }

    private string Value(string kind) => kind switch
    {
        "email" => _faker.Internet.Email(),
        "address" => _faker.Address.FullAddress(),
        "date" => _faker.Date.Between(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 31, 0, 0, 0, DateTimeKind.Utc))
            .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "amount" => _faker.Finance.Amount(1, 2000).ToString("0.00", CultureInfo.InvariantCulture),
        _ => _faker.Name.FullName(),
    };

    private static bool IsPlaceholder(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var text = value.GetString()!.Trim();
        return text.Length == 0 || (text.StartsWith('{') && text.EndsWith('}')) || (text.StartsWith('<') && text.EndsWith('>'))
            || (text.StartsWith('[') && text.EndsWith(']'));
    }
}
