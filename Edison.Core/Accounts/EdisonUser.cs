namespace Edison.Core.Accounts;

/// <summary>A person who signs in to Edison: one row of <c>users</c>.</summary>
public sealed class EdisonUser
{
    /// <summary>The user's id.</summary>
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The e-mail address the user signs in with, as typed.</summary>
    public string Email { get; set; } = "";

    /// <summary>The e-mail address as Identity normalises it; unique.</summary>
    public string NormalizedEmail { get; set; } = "";

    /// <summary>The name shown to other members.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The password hash Identity's hasher wrote.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Changes whenever credentials change; every cookie issued before is then refused.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>Changes on every write.</summary>
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>Whether the address was confirmed.</summary>
    public bool EmailConfirmed { get; set; }

    /// <summary>Whether repeated failures lock the account.</summary>
    public bool LockoutEnabled { get; set; } = true;

    /// <summary>When a lockout ends, if one is in force.</summary>
    public DateTimeOffset? LockoutEnd { get; set; }

    /// <summary>Failed sign-ins since the last success.</summary>
    public int AccessFailedCount { get; set; }

    /// <summary>Whether this user set the instance up and administers it.</summary>
    public bool IsInstanceOwner { get; set; }

    /// <summary>When the account was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
