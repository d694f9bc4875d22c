using System.Net;
using System.Security.Cryptography;
using Edison.Core.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Security;

/// <summary>
/// Sign-in that tells nobody which accounts exist and lets nobody lock someone else out (issue 18, finding 12).
/// Wrong passwords are counted per account and client address: after <see cref="SecurityOptions.MaxFailedAccessAttempts"/>
/// that address is locked out of that account for <see cref="SecurityOptions.LockoutDuration"/>, while the owner elsewhere
/// still signs in; Identity's own lockout, account-wide, only starts at <see cref="SecurityOptions.AccountLockoutThreshold"/>.
/// Every refusal costs one password hash (an unknown address is checked against a throw-away hash), so the answer's time
/// does not tell an unknown address from a wrong password or a locked account.
/// </summary>
public sealed class SignInThrottle(IOptions<SecurityOptions> options, TimeProvider time) : IDisposable
{
    private static readonly EdisonUser Nobody = new();
    private readonly MemoryCache _failures = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private string? _decoyHash;

    /// <summary>Signs in on the right password; otherwise false, after the same work whatever the reason.</summary>
    public async Task<bool> SignInAsync(SignInManager<EdisonUser> signIn, string email, string password, IPAddress? client)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        var hasher = signIn.UserManager.PasswordHasher;
        _decoyHash ??= hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32));
        var key = $"{email.Trim().ToUpperInvariant()}|{client}";
        var user = await signIn.UserManager.FindByEmailAsync(email.Trim());
        if (user is null || (_failures.TryGetValue(key, out int failed) && failed >= options.Value.MaxFailedAccessAttempts))
        {
            hasher.VerifyHashedPassword(Nobody, _decoyHash, password);
            Count(key);
            return false;
        }

        var locked = await signIn.UserManager.IsLockedOutAsync(user);
        if (locked)
        {
            hasher.VerifyHashedPassword(Nobody, _decoyHash, password);
            return false;
        }

        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            Count(key);
            return false;
        }

        _failures.Remove(key);
        await signIn.SignInAsync(user, isPersistent: true);
        return true;
    }

    /// <summary>
    /// Checks a signed-in person's current password (Change password) under the same per-account-and-address count as sign-in,
    /// so a stolen session cannot guess the password there without limit; a wrong one also counts toward the account-wide lockout.
    /// </summary>
    public async Task<PasswordCheck> CheckCurrentPasswordAsync(UserManager<EdisonUser> users, EdisonUser user, string password, IPAddress? client)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(user);
        var key = $"{(user.Email ?? "").Trim().ToUpperInvariant()}|{client}";
        if ((_failures.TryGetValue(key, out int failed) && failed >= options.Value.MaxFailedAccessAttempts) || await users.IsLockedOutAsync(user))
        {
            _decoyHash ??= users.PasswordHasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32));
            users.PasswordHasher.VerifyHashedPassword(Nobody, _decoyHash, password);
            return PasswordCheck.TooMany;
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            Count(key);
            await users.AccessFailedAsync(user);
            return PasswordCheck.Wrong;
        }

        _failures.Remove(key);
        return PasswordCheck.Right;
    }

    private void Count(string key)
    {
        var failures = _failures.TryGetValue(key, out int n) ? n + 1 : 1;
        _failures.Set(key, failures, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpiration = time.GetUtcNow() + options.Value.LockoutDuration,
        });
    }

    public void Dispose() => _failures.Dispose();
}
