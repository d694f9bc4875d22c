using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm.Providers.Bedrock;

/// Amazon Bedrock through its Converse API, for Anthropic's and every other Bedrock model (no AWS SDK is available to this build).
internal sealed class BedrockAdapter(IOptions<LlmOptions> options, TimeProvider time) : IProviderAdapter
{
    public const string RegionSetting = "region";

    // One connection pool for every Bedrock client, as clients are created per call and never disposed.
    private static readonly SocketsHttpHandler SharedHandler = Security.OutboundPolicy.Handler(() => true);

    public string Provider => ProviderKinds.Bedrock;

    public static Uri DefaultEndpoint(string region) => new($"https://bedrock-runtime.{region}.amazonaws.com");

    public IChatClient Create(ProviderCredential credential, string model, ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var keys = AwsKeys.Parse(credential.ApiKey)
            ?? throw new LlmCallException(LlmErrorClass.Unauthorized, AwsKeys.Problem(credential.ApiKey) ?? "The Bedrock key is invalid.");
        var region = credential.Settings.GetValueOrDefault(RegionSetting);
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new LlmCallException(LlmErrorClass.BadRequest, "A Bedrock credential needs a region in its settings, e.g. {\"region\": \"us-east-1\"}.");
        }

        var http = new HttpClient(SharedHandler, disposeHandler: false) { Timeout = options.Value.AttemptTimeout };
        return new BedrockConverseChatClient(http, credential.BaseUrl ?? DefaultEndpoint(region), model, keys, region, credential.Headers, time);
    }
}
