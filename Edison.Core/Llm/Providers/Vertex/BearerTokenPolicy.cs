using System.ClientModel.Primitives;
using Google.Apis.Auth.OAuth2;

namespace Edison.Core.Llm.Providers.Vertex;

/// Puts a fresh OAuth2 access token on each request, last before the transport so it replaces the SDK's API-key header.
/// The service-account credential caches the token until shortly before it expires.
internal sealed class BearerTokenPolicy(ITokenAccess tokens) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var token = tokens.GetAccessTokenForRequestAsync(cancellationToken: message.CancellationToken).GetAwaiter().GetResult();
        message.Request.Headers.Set("Authorization", $"Bearer {token}");
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var token = await tokens.GetAccessTokenForRequestAsync(cancellationToken: message.CancellationToken);
        message.Request.Headers.Set("Authorization", $"Bearer {token}");
        await ProcessNextAsync(message, pipeline, currentIndex);
    }
}
