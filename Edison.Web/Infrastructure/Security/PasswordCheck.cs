namespace Edison.Web.Infrastructure.Security;

/// <summary>What checking a signed-in person's current password found.</summary>
public enum PasswordCheck
{
    /// <summary>The password is right.</summary>
    Right,

    /// <summary>The password is wrong; the attempt was counted.</summary>
    Wrong,

    /// <summary>Too many wrong passwords from this address (or the account is locked): not checked.</summary>
    TooMany,
}
