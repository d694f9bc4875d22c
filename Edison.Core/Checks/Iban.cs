namespace Edison.Core.Checks;

/// <summary>The ISO 13616 IBAN check: move the first four characters to the end, read letters as 10–35, and the number mod 97 is 1.</summary>
internal static class Iban
{
    public const int MinLength = 15;
    public const int MaxLength = 34;

    public static bool IsValid(ReadOnlySpan<char> compact)
    {
        if (compact.Length is < MinLength or > MaxLength
            || !char.IsAsciiLetterUpper(compact[0]) || !char.IsAsciiLetterUpper(compact[1])
            || !char.IsAsciiDigit(compact[2]) || !char.IsAsciiDigit(compact[3]))
        {
            return false;
        }

        var remainder = 0;
        for (var i = 0; i < compact.Length; i++)
        {
            var c = compact[(i + 4) % compact.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }
}
