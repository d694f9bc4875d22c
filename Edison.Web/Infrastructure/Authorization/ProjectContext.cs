using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

/// The project a request acts in and the signed-in user's role there, set by the role check before a handler runs.
public sealed record ProjectContext(Guid ProjectId, ProjectRole Role);
