namespace Edison.Web.Infrastructure.Authorization;

/// A page, handler or endpoint that concerns the signed-in person, not a project (their account, accepting an invitation).
/// It is explicit on purpose: a handler with neither this nor RequireProjectRole is refused.
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class SignedInOnlyAttribute : Attribute;
