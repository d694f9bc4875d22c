using System.Text.RegularExpressions;

namespace Edison.Core.Checks;

/// <summary>
/// Finds e-mail addresses, telephone numbers, payment card numbers and IBANs in model output. Cards and IBANs count
/// only when their check digits are right; findings never overlap, and the more specific kind wins
/// (e-mail, then IBAN, then card, then phone).
/// </summary>
public static partial class PiiScanner
{
    private const int TimeoutMs = 1000;
    private const int MaxCardDigits = 19;
    private const int MinCardDigits = 13;

    /// <summary>Every finding in <paramref name="text"/>, in order of position.</summary>
    public static IReadOnlyList<PiiFinding> Scan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scan = new Findings(text);
        foreach (Match match in EmailCandidate().Matches(text))
        {
            scan.Add(PiiKinds.Email, match.Index, match.Length);
        }

        foreach (Match match in IbanCandidate().Matches(text))
        {
            FindIban(scan, match);
        }

        foreach (Match match in CardCandidate().Matches(text))
        {
            FindCards(scan, match);
        }

        foreach (Match match in PhoneCandidate().Matches(text))
        {
            if (PhoneShape.IsPlausible(text, match.Index, match.Length))
            {
                scan.Add(PiiKinds.Phone, match.Index, match.Length);
            }
        }

        return scan.InOrder();
    }

    /// <summary>The distinct safety flags for <paramref name="findings"/>, such as <c>pii:email</c>, sorted.</summary>
    public static IReadOnlyList<string> FlagNames(IReadOnlyList<PiiFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return findings.Select(f => "pii:" + f.Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    // The candidate is country code, check digits and space-separated groups; it may run on into the next word,
    // so try the longest run of whole groups that passes mod-97. A shaped but invalid one is claimed unreported,
    // so its digits are not then reported as a phone number.
    private static void FindIban(Findings scan, Match match)
    {
        var groups = Groups(match);
        var compact = "";
        var shaped = -1;
        var valid = -1;
        for (var j = 0; j < groups.Count && compact.Length + groups[j].Length <= Iban.MaxLength; j++)
        {
            compact += scan.Text.Substring(groups[j].Start, groups[j].Length);
            if (compact.Length < Iban.MinLength || !EndsAtWordBoundary(scan.Text, groups[j].End))
            {
                continue;
            }

            shaped = j;
            valid = Iban.IsValid(compact) ? j : valid;
        }

        if (valid >= 0)
        {
            scan.Add(PiiKinds.Iban, match.Index, groups[valid].End - match.Index);
        }
        else if (shaped >= 0)
        {
            scan.Claim(match.Index, groups[shaped].End);
        }
    }

    // A run of digit groups may hold a card among other numbers ("order 12 4111 1111 1111 1111"): from each group,
    // take the longest run of whole groups with 13–19 digits that passes Luhn.
    private static void FindCards(Findings scan, Match match)
    {
        var groups = Groups(match);
        var i = 0;
        while (i < groups.Count)
        {
            var end = -1;
            var digits = "";
            for (var j = i; j < groups.Count && digits.Length + groups[j].Length <= MaxCardDigits; j++)
            {
                digits += scan.Text.Substring(groups[j].Start, groups[j].Length);
                if (digits.Length >= MinCardDigits && IsCardNumber(digits) && EndsAtWordBoundary(scan.Text, groups[j].End))
                {
                    end = j;
                }
            }

            if (end < 0)
            {
                i++;
                continue;
            }

            scan.Add(PiiKinds.Card, groups[i].Start, groups[end].End - groups[i].Start);
            i = end + 1;
        }
    }

    // Issuer numbers start 2–6 (Mastercard 2/5, Amex/Diners/JCB 3, Visa 4, Discover/UnionPay 6); this keeps
    // millisecond timestamps (1…) and long ids from passing Luhn by chance one time in ten.
    private static bool IsCardNumber(string digits) => digits[0] is >= '2' and <= '6' && Luhn.IsValid(digits);

    private static List<(int Start, int Length, int End)> Groups(Match match)
    {
        var groups = new List<(int Start, int Length, int End)>();
        var value = match.ValueSpan;
        var start = match.Index;
        var end = match.Index + match.Length;
        for (var i = match.Index; i <= end; i++)
        {
            if (i == end || value[i - match.Index] is ' ' or '-')
            {
                groups.Add((start, i - start, i));
                start = i + 1;
            }
        }

        return groups;
    }

    private static bool EndsAtWordBoundary(string text, int end) =>
        end >= text.Length
        || (!char.IsLetterOrDigit(text[end]) && text[end] != '_'
            && !(text[end] is '.' or ',' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1])));

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex EmailCandidate();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[A-Z0-9]*(?: [A-Z0-9]+)*", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex IbanCandidate();

    [GeneratedRegex(@"(?<![\w+.,/-])[0-9]+(?:[ -][0-9]+)*", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex CardCandidate();

    // Atomic, so a candidate that runs into a time or a decimal ("2026-11-26 12:30") is dropped whole rather than
    // trimmed back to something that looks like a number. +CC is 1–3 digits; groups of 2 or more follow, one separator apart.
    [GeneratedRegex(@"(?<![\w+$€£¥.,/-]|[0-9]:)(?>(?:\+[0-9]{1,3}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?|\([0-9]{2,5}\)[ .-]?)?[0-9]{2,12}(?:[ .-][0-9]{2,12}){0,6})(?![\w]|[.,:/-][0-9])", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex PhoneCandidate();
}
