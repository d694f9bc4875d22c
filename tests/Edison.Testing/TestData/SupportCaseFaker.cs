using System.Globalization;
using System.Text.Json;
using Bogus;

namespace Edison.Testing.TestData;

/// <summary>
/// Realistic customer-support test cases (names, emails, plans, amounts, dates), seeded so a test or benchmark gets the
/// same cases every run. Each case has the variables <c>customer</c>, <c>email</c>, <c>plan</c> and <c>question</c>.
/// </summary>
public static class SupportCaseFaker
{
    private static readonly string[] Plans = ["Free", "Pro", "Team", "Enterprise"];

    private static readonly Func<Faker, string>[] Questions =
    [
        f => $"I was charged {f.Finance.Amount(5, 500).ToString("0.00", CultureInfo.InvariantCulture)} USD twice on {f.Date.Recent(30):yyyy-MM-dd}. Can you refund one charge?",
        f => $"How do I reset the password for {f.Internet.Email()}?",
        f => $"Can I add {f.Random.Int(2, 40)} teammates to my {f.PickRandom(Plans)} plan without paying more?",
        f => $"My export of {f.Random.Int(1_000, 90_000)} rows stops at {f.Random.Int(10, 95)}%. What should I do?",
        f => $"Please move my invoice address to {f.Address.FullAddress()}.",
        f => $"Is there an API to list the projects of {f.Company.CompanyName()}?",
    ];

    /// <summary>Generates <paramref name="count"/> cases as JSON lines, the format the new-experiment form accepts.</summary>
    public static string JsonLines(int count, int seed = 20261126)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        return string.Join('\n', Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["customer"] = faker.Name.FullName(),
            ["email"] = faker.Internet.Email(),
            ["plan"] = faker.PickRandom(Plans),
            ["question"] = Questions[i % Questions.Length](faker),
        })));
    }
}
