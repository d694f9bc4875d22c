namespace Edison.Core.Checks;

/// <summary>The Luhn (mod 10) check digit test used by payment card numbers.</summary>
internal static class Luhn
{
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9)
            {
                return false;
            }

            if (doubled)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
            doubled = !doubled;
        }

        return digits.Length > 0 && sum % 10 == 0;
    }
}
