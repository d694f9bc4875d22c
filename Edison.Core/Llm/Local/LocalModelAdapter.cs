using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Local;

/// <summary>
/// The <c>local</c> provider: a GGUF file on the machine running the call, named by the credential's base URL
/// (<c>file:///models/model.gguf</c>, or <c>file:///models/</c> with the file name as the model).
/// </summary>
internal static class LocalModelAdapter
{
    /// <summary>Provider id stored in provider_credentials.provider.</summary>
    public const string Provider = "local";

    /// <summary>
    /// A client for the credential's model file, with the same gen_ai telemetry as every other provider; throws
    /// <see cref="LlmCallException"/> when the file cannot be found.
    /// </summary>
    public static IChatClient Create(ProviderCredential credential, string model, LocalModelCache cache, bool traceContent = false) =>
        CreateRaw(credential, model, cache).AsBuilder()
            .UseOpenTelemetry(configure: c => c.EnableSensitiveData = traceContent)
            .Build();

    /// <summary>The client without telemetry, for the factory, which adds Edison's pipeline itself.</summary>
    public static IChatClient CreateRaw(ProviderCredential credential, string model, LocalModelCache cache)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(cache);
        var path = ModelPath(credential.BaseUrl, model);
        if (!File.Exists(path))
        {
            throw new LlmCallException(LlmErrorClass.BadRequest,
                $"The local model file '{Path.GetFileName(path)}' was not found on this machine. Check the credential's file path.");
        }

        return new LocalModelChatClient(cache, path, model);
    }

    /// <summary>The model file a base URL and model name point at.</summary>
    public static string ModelPath(Uri? baseUrl, string model)
    {
        if (baseUrl is null)
        {
            return Path.IsPathRooted(model)
                ? model
                : throw new LlmCallException(LlmErrorClass.BadRequest,
                    "A local model credential needs a file URL (file:///path/to/model.gguf) as its base URL.");
        }

        if (!baseUrl.IsAbsoluteUri || !baseUrl.IsFile)
        {
            throw new LlmCallException(LlmErrorClass.BadRequest,
                "A local model credential's base URL must be a file URL, e.g. file:///models/model.gguf.");
        }

        var local = baseUrl.LocalPath;
        return Directory.Exists(local) || local.EndsWith('/') || local.EndsWith(Path.DirectorySeparatorChar) ? Path.Combine(local, model) : local;
    }
}
