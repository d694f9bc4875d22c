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

    /// Every rate limit below and above at once. The documented override for test hosts (journeys, benchmarks, the authorization
    /// matrix) that make hundreds of calls from one address: Edison:Security:RateLimitsEnabled=false. Never in production.
    public bool RateLimitsEnabled { get; set; } = true;

    /// Sign-in, sign-up, setup and change-password POSTs allowed per client address in each AccountWindow, whatever the e-mail:
    /// password spraying (one password, many accounts) from one address is slowed too.
    public int AccountAddressPermitLimit { get; set; } = 30;

    /// Calls to /api/v1 per API token, else per signed-in user, else per client address, in each ApiWindow.
    public int ApiPermitLimit { get; set; } = 600;

    public TimeSpan ApiWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// Open Server-Sent Events connections (/events/…) per user at once.
    public int EventStreamsPerUser { get; set; } = 20;

    /// Requests that spend the project's money on a model outside an iteration (AI assist, test-case generation) per user in
    /// each SpendWindow.
    public int SpendPermitLimit { get; set; } = 30;

    public TimeSpan SpendWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: IP addresses or CIDR ranges ("10.0.0.0/8"), or
    /// "*" for any (only where Edison is reachable through the proxy alone, as behind Container Apps ingress). Empty: loopback
    /// proxies only, the ASP.NET Core default.
    public IReadOnlyList<string> TrustedProxies { get; set; } = [];

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(14);
}
