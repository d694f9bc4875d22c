namespace Edison.Web.Infrastructure.Security;

/// Settings under Edison:Security; every limit an operator may want to tune.
public sealed class SecurityOptions
{
    public const string Section = "Edison:Security";

    public int PasswordMinLength { get; set; } = 12;

    /// Wrong passwords for one account from one client address before that address is locked out of that account for
    /// LockoutDuration (others still sign in: knowing someone's address is not enough to lock them out).
    public int MaxFailedAccessAttempts { get; set; } = 5;

    /// Wrong passwords for one account from anywhere before the account itself locks for LockoutDuration (guessing spread over
    /// many addresses); 0 means 10 × MaxFailedAccessAttempts.
    public int AccountLockoutAttempts { get; set; }

    /// The account-wide threshold in force.
    public int AccountLockoutThreshold => AccountLockoutAttempts > 0 ? AccountLockoutAttempts : 10 * MaxFailedAccessAttempts;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// How often a cookie's security stamp is re-checked against the database ("sign out everywhere" takes effect within this).
    public TimeSpan SecurityStampValidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// Sign-in, sign-up and setup POSTs allowed per normalised e-mail and client address in each window.
    public int AccountPermitLimit { get; set; } = 10;

    public TimeSpan AccountWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(14);
}
