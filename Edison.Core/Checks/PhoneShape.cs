namespace Edison.Core.Checks;

/// <summary>
/// Tells a telephone number from the other digit groups a model writes: dates, prices, IP addresses, thousands.
/// The candidate regex has already ruled out times (12:30:45), ISO timestamps and version numbers by its boundaries.
/// </summary>
internal static class PhoneShape
{
    private const string Currency = "$€£¥₹";

    public static bool IsPlausible(string text, int index, int length)
    {
        var value = text.AsSpan(index, length);
        var digits = 0;
        foreach (var c in value)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }

        if (digits is < 7 or > 15 || NextToCurrency(text, index, length))
        {
            return false;
        }

        if (value[0] == '+')
        {
            return true;
        }

        // A national number needs separators: a bare run of digits is more likely an id or an amount.
        if (value.IndexOfAny(" .-()") < 0)
        {
            return false;
        }

        var groups = new List<int>();
        var separators = new HashSet<char>();
        var run = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                run++;
                continue;
            }

            if (run > 0)
            {
                groups.Add(run);
            }

            run = 0;
            if (c is ' ' or '.' or '-')
            {
                separators.Add(c);
            }
        }

        groups.Add(run);
        return !IsDate(groups) && !IsDottedNumber(groups, separators);
    }

    // 2026-11-26, 26.11.2026, and build numbers that start with a date (2026.11.26.1234).
    private static bool IsDate(List<int> groups) =>
        groups.Count >= 3 && ((groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) || (groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4));

    // 10.10.10.10 (an address) and 12.345.678 (thousands) use dots the way phone numbers rarely do.
    private static bool IsDottedNumber(List<int> groups, HashSet<char> separators) =>
        separators.Count == 1 && separators.Contains('.')
        && ((groups.Count == 4 && groups.TrueForAll(g => g <= 3)) || (groups[0] <= 3 && groups.Skip(1).All(g => g == 3)));

    private static bool NextToCurrency(string text, int index, int length)
    {
        var before = index - 1;
        while (before >= 0 && text[before] == ' ')
        {
            before--;
        }

        var after = index + length;
        while (after < text.Length && text[after] == ' ')
        {
            after++;
        }

        return (before >= 0 && Currency.Contains(text[before], StringComparison.Ordinal))
            || (after < text.Length && (Currency.Contains(text[after], StringComparison.Ordinal) || text[after] == '%'));
    }
}
