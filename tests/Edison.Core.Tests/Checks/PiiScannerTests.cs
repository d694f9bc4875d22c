using Edison.Core.Checks;

namespace Edison.Core.Tests.Checks;

public sealed class PiiScannerTests
{
    private static PiiFinding Only(string text, string kind)
    {
        var finding = Assert.Single(PiiScanner.Scan(text));
        Assert.Equal(kind, finding.Kind);
        return finding;
    }

    private static string Found(string text, PiiFinding finding) => text.Substring(finding.Index, finding.Length);

    [Theory]
    [InlineData("Write to ada.lovelace@example.com today.", "ada.lovelace@example.com", "••••.com")]
    [InlineData("<j_smith+billing@mail.example.co.uk>", "j_smith+billing@mail.example.co.uk", "••••o.uk")]
    [InlineData("Contact: X.Y-Z@sub-domain.example.org.", "X.Y-Z@sub-domain.example.org", "••••.org")]
    public void Scan_EmailAddress_FoundWhole(string text, string expected, string masked)
    {
        var finding = Only(text, "email");

        Assert.Equal(expected, Found(text, finding));
        Assert.Equal(masked, finding.Masked);
    }

    [Theory]
    [InlineData("Use @handle on the forum.")]
    [InlineData("user@localhost has no domain")]
    [InlineData("see foo@bar, then baz")]
    [InlineData("a@b.c is too short a top-level domain")]
    public void Scan_NotAnEmailAddress_NothingFound(string text)
    {
        Assert.Empty(PiiScanner.Scan(text));
    }

    [Theory]
    [InlineData("Card: 4111 1111 1111 1111.", "4111 1111 1111 1111")]
    [InlineData("Card 4111-1111-1111-1111 on file", "4111-1111-1111-1111")]
    [InlineData("Pay with 4111111111111111 now", "4111111111111111")]
    [InlineData("Amex 3782 822463 10005 expires", "3782 822463 10005")]
    [InlineData("Order 12 4111 1111 1111 1111 shipped", "4111 1111 1111 1111")]
    public void Scan_LuhnValidCardNumber_FlaggedAsCard(string text, string expected)
    {
        var finding = Only(text, "card");

        Assert.Equal(expected, Found(text, finding));
    }

    [Fact]
    public void Scan_CardNumber_MaskedToLastFourDigits()
    {
        Assert.Equal("••••1111", Only("4111 1111 1111 1111", "card").Masked);
    }

    [Theory]
    [InlineData("Card: 4111 1111 1111 1112.")]
    [InlineData("Card 4111111111111112 on file")]
    public void Scan_LuhnInvalidCardNumber_IsNotFlagged(string text)
    {
        Assert.Empty(PiiScanner.Scan(text));
    }

    [Theory]
    [InlineData("Created at 1764115200008 ms")]
    [InlineData("Total 41111111111111110 units, 4111111111111111.5 metres")]
    public void Scan_LongNumberThatIsNotACard_IsNotFlagged(string text)
    {
        Assert.DoesNotContain(PiiScanner.Scan(text), f => f.Kind == "card");
    }

    [Theory]
    [InlineData("Pay GB82 WEST 1234 5698 7654 32 by Friday.", "GB82 WEST 1234 5698 7654 32", "••••5432")]
    [InlineData("IBAN GB82WEST12345698765432", "GB82WEST12345698765432", "••••5432")]
    [InlineData("To DE89 3704 0044 0532 0130 00 EUR 40", "DE89 3704 0044 0532 0130 00", "••••3000")]
    public void Scan_IbanWithValidCheckDigits_FlaggedAsIban(string text, string expected, string masked)
    {
        var finding = Only(text, "iban");

        Assert.Equal(expected, Found(text, finding));
        Assert.Equal(masked, finding.Masked);
    }

    [Theory]
    [InlineData("Pay GB82 WEST 1234 5698 7654 33 by Friday.")]
    [InlineData("To DE88 3704 0044 0532 0130 00")]
    public void Scan_IbanWithInvalidCheckDigits_IsNotFlaggedAsAnything(string text)
    {
        Assert.Empty(PiiScanner.Scan(text));
    }

    [Fact]
    public void Scan_IbanRunningIntoAWord_IsNotFlagged()
    {
        Assert.Empty(PiiScanner.Scan("ref GB82WEST12345698765432abc"));
    }

    [Theory]
    [InlineData("Call +1 415-555-0132 now", "+1 415-555-0132", "••••0132")]
    [InlineData("Office: (020) 7946 0958.", "(020) 7946 0958", "••••0958")]
    [InlineData("London +44 20 7946 0958, ask for Ada", "+44 20 7946 0958", "••••0958")]
    [InlineData("Tel:+14155550132", "+14155550132", "••••0132")]
    [InlineData("Ring 415.555.0132 after six", "415.555.0132", "••••0132")]
    [InlineData("Paris 01 23 45 67 89", "01 23 45 67 89", "••••6789")]
    [InlineData("+44 (0)20 7946 0958: switchboard", "+44 (0)20 7946 0958", "••••0958")]
    [InlineData("Mobile: 07700 900123", "07700 900123", "••••0123")]
    [InlineData("Call me at +1 (415) 555-0132.", "+1 (415) 555-0132", "••••0132")]
    public void Scan_PhoneNumber_FlaggedAsPhone(string text, string expected, string masked)
    {
        var finding = Only(text, "phone");

        Assert.Equal(expected, Found(text, finding));
        Assert.Equal(masked, finding.Masked);
    }

    [Theory]
    [InlineData("Due 2026-11-26.")]
    [InlineData("Due 26.11.2026 at noon")]
    [InlineData("Version 3.14.159 fixed it")]
    [InlineData("Build 2026.11.26.1234 is out")]
    [InlineData("ISBN 978-3-16-148410-0")]
    [InlineData("It costs $1,234.56 in total")]
    [InlineData("It costs € 12 345 678 in total")]
    [InlineData("Meet at 12:30:45 sharp")]
    [InlineData("Logged 2026-11-26T12:30:45Z")]
    [InlineData("Logged 2026-11-26 12:30:45")]
    [InlineData("Server 10.10.10.10 is up")]
    [InlineData("Population 12.345.678 people")]
    [InlineData("Order 4155550132 shipped")]
    [InlineData("Pi is 3.14159265358979")]
    [InlineData("Grew 12 345 678 %")]
    public void Scan_NumberThatIsNotAPhone_NothingFound(string text)
    {
        Assert.Empty(PiiScanner.Scan(text));
    }

    [Fact]
    public void Scan_CardNumber_IsNotAlsoReportedAsPhone()
    {
        var findings = PiiScanner.Scan("Visa 4222 2222 22222 or 4111-1111-1111-1111");

        Assert.Equal(["card", "card"], findings.Select(f => f.Kind));
    }

    [Fact]
    public void Scan_DigitsInsideAnEmailAddress_AreNotAlsoAPhone()
    {
        var findings = PiiScanner.Scan("Mail 020-7946-0958@example.com");

        Assert.Equal(["email"], findings.Select(f => f.Kind));
    }

    [Fact]
    public void Scan_MixedText_EveryKindInOrderWithoutOverlap()
    {
        const string Text = "Ada (ada@example.com, +44 20 7946 0958) pays GB82 WEST 1234 5698 7654 32 with 4111 1111 1111 1111.";

        var findings = PiiScanner.Scan(Text);

        Assert.Equal(["email", "phone", "iban", "card"], findings.Select(f => f.Kind));
        Assert.Equal(["ada@example.com", "+44 20 7946 0958", "GB82 WEST 1234 5698 7654 32", "4111 1111 1111 1111"], findings.Select(f => Found(Text, f)));
        Assert.All(findings.Zip(findings.Skip(1)), pair => Assert.True(pair.First.Index + pair.First.Length <= pair.Second.Index));
    }

    [Fact]
    public void Scan_MaskedForm_NeverContainsMoreThanFourOfTheOriginalCharacters()
    {
        foreach (var finding in PiiScanner.Scan("4111 1111 1111 1111 and DE89 3704 0044 0532 0130 00"))
        {
            Assert.Equal(8, finding.Masked.Length);
            Assert.StartsWith("••••", finding.Masked, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Scan_PlainProse_NothingFound()
    {
        Assert.Empty(PiiScanner.Scan("The refund of 20 dollars was approved on Tuesday after 3 days."));
    }

    [Fact]
    public void Scan_LongAdversarialText_FinishesQuickly()
    {
        var text = string.Concat(Enumerable.Repeat("a.", 20_000)) + "@" + string.Concat(Enumerable.Repeat("1 2-", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        _ = PiiScanner.Scan(text);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Scan_TwentyThousandPhoneNumbers_AllFoundQuickly()
    {
        var text = string.Concat(Enumerable.Repeat("call 555-0132, ", 20_000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var findings = PiiScanner.Scan(text);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(20_000, findings.Count);
    }

    [Fact]
    public void FlagNames_RepeatedKinds_DistinctAndSorted()
    {
        PiiFinding[] findings = [new("phone", 0, 1, "•"), new("email", 5, 1, "•"), new("phone", 9, 1, "•")];

        Assert.Equal(["pii:email", "pii:phone"], PiiScanner.FlagNames(findings));
    }

    [Fact]
    public void FlagNames_NoFindings_Empty()
    {
        Assert.Empty(PiiScanner.FlagNames([]));
    }

    [Fact]
    public void FlagNames_FromAScan_NameEachKindFound()
    {
        var flags = PiiScanner.FlagNames(PiiScanner.Scan("ada@example.com, 4111 1111 1111 1111"));

        Assert.Equal(["pii:card", "pii:email"], flags);
    }
}
