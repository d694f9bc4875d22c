using System.Security.Claims;
using System.Text.Encodings.Web;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Edison.Web.Infrastructure.Security;

/// `Authorization: Bearer edison_…`: an API token acts for its user, in its project only, with at most its role.
internal sealed class ApiTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string ProjectClaim = "edison:project";

    /// The only part of the app an API token opens.
    public static readonly PathString ApiPath = "/api/v1";

    public static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// A bearer token is read on /api/v1 only; anywhere else the request is a browser's, and only its cookie counts.
    public static bool Applies(HttpRequest request) => HasBearer(request) && request.Path.StartsWithSegments(ApiPath);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Applies(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await tokens.AuthenticateAsync(Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API token.");
        }

        var claims = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, identity.UserId.ToString()),
            new Claim(UserExtensions.RoleCapClaim, identity.Role.ToText()),
            new Claim(ProjectClaim, identity.ProjectId.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claims), SchemeName));
    }
}
