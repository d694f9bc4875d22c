namespace Edison.Web.Infrastructure.Security;

/// Settings under Edison:Security; every limit an operator may want to tune.
public sealed class SecurityOptions
{
    public const string Section = "Edison:Security";

    public int PasswordMinLength { get; set; } = 12;

    public int MaxFailedAccessAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// How often a cookie's security stamp is re-checked against the database ("sign out everywhere" takes effect within this).
    public TimeSpan SecurityStampValidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// Sign-in, sign-up and setup POSTs allowed per normalised e-mail and client address in each window.
    public int AccountPermitLimit { get; set; } = 10;

    public TimeSpan AccountWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(14);
}
