namespace Edison.Core.Checks;

/// <summary>The kinds of personal data <see cref="PiiScanner"/> finds.</summary>
public static class PiiKinds
{
    /// <summary>An e-mail address.</summary>
    public const string Email = "email";

    /// <summary>A telephone number, international (+CC) or national with separators.</summary>
    public const string Phone = "phone";

    /// <summary>A payment card number that passes the Luhn check.</summary>
    public const string Card = "card";

    /// <summary>An IBAN that passes the ISO 13616 mod-97 check.</summary>
    public const string Iban = "iban";
}
