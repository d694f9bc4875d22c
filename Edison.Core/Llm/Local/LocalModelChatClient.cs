using System.Runtime.CompilerServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Local;

/// <summary>
/// An in-process GGUF model behind <see cref="IChatClient"/>. Unlike LLamaSharp's own adapter it reports usage counted
/// with the model's vocabulary and a finish reason, and it turns a JSON-schema response format into a GBNF grammar so
/// even a small model returns JSON that parses.
/// </summary>
internal sealed class LocalModelChatClient : IChatClient
{
    private const string ChatTemplateKey = "tokenizer.chat_template";
    private const string UserTurn = "\nUser:";

    private readonly LocalModelCache _cache;
    private readonly string _path;
    private readonly string _model;

    public LocalModelChatClient(LocalModelCache cache, string path, string model)
    {
        _cache = cache;
        _path = path;
        _model = model;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var weights = await _cache.GetAsync(_path, cancellationToken);
        var (prompt, stops) = Render(weights, [.. messages]);
        var contextParameters = LocalModelCache.ContextParameters(_path, weights);
        var promptTokens = weights.Tokenize(prompt, true, true, Encoding.UTF8).Length;
        var room = (int)contextParameters.ContextSize! - promptTokens;
        if (room <= 0)
        {
            throw new LlmCallException(LlmErrorClass.BadRequest,
                $"The prompt has {promptTokens} tokens; the local model's context holds {contextParameters.ContextSize}.");
        }

        var maxTokens = Math.Min(options?.MaxOutputTokens ?? room, room);
        var inference = Inference(options, maxTokens, stops);
        var executor = new StatelessExecutor(weights, contextParameters) { ApplyTemplate = false };
        var responseId = Guid.NewGuid().ToString("N");
        var generated = 0;
        var pending = "";
        // StatelessExecutor yields one decoded piece per sampled token (possibly empty for a partial UTF-8 sequence).
        await foreach (var piece in executor.InferAsync(prompt, inference, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            generated++;
            pending += piece;
            // Text that may be the start of a stop sequence is held back until it is known not to be one.
            var (ready, held, stopped) = SplitAtStop(pending, stops);
            pending = held;
            if (ready.Length > 0)
            {
                yield return Update(responseId, ready);
            }

            if (stopped)
            {
                break;
            }
        }

        if (pending.Length > 0)
        {
            yield return Update(responseId, pending);
        }

        var finish = generated >= inference.MaxTokens ? ChatFinishReason.Length : ChatFinishReason.Stop;
        var usage = new UsageDetails { InputTokenCount = promptTokens, OutputTokenCount = generated, TotalTokenCount = promptTokens + generated };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
        {
            ResponseId = responseId,
            ModelId = _model,
            FinishReason = finish,
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(LocalModelAdapter.Provider, null, _model)
        : null;

    public void Dispose()
    {
        // The weights belong to the cache, which outlives every client.
    }

    private ChatResponseUpdate Update(string responseId, string piece) => new(ChatRole.Assistant, piece)
    {
        ResponseId = responseId,
        ModelId = _model,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// A caller's own InferenceParams (e.g. a refiner's GBNF over the current prompt) wins over the derived one.
    private InferenceParams Inference(ChatOptions? options, int maxTokens, IReadOnlyList<string> stops)
    {
        if (options?.RawRepresentationFactory?.Invoke(this) is InferenceParams custom)
        {
            return custom with { MaxTokens = custom.MaxTokens > 0 ? Math.Min(custom.MaxTokens, maxTokens) : maxTokens };
        }

        // Unset options keep LLamaSharp's defaults (temperature 0.75, top-p 0.9, top-k 40).
        var defaults = new DefaultSamplingPipeline();
        var grammar = options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema }
            ? new Grammar(JsonSchemaGbnf.Convert(schema), "root")
            : null;
        var pipeline = new DefaultSamplingPipeline
        {
            Seed = options?.Seed is { } seed ? unchecked((uint)seed) : (uint)Random.Shared.Next(),
            Temperature = options?.Temperature ?? defaults.Temperature,
            TopP = options?.TopP ?? defaults.TopP,
            TopK = options?.TopK ?? defaults.TopK,
            Grammar = grammar,
        };
        var anti = new List<string>(options?.StopSequences ?? []);
        // Under a grammar a stop sequence could cut the JSON short; the grammar itself ends the output.
        if (grammar is null)
        {
            anti.AddRange(stops);
        }

        return new InferenceParams { MaxTokens = maxTokens, AntiPrompts = anti, SamplingPipeline = pipeline };
    }

    /// A model with a chat template gets it; a base model (no template) gets a plain transcript it can continue.
    private static (string Prompt, IReadOnlyList<string> Stops) Render(LLamaWeights weights, List<ChatMessage> messages)
    {
        if (weights.Metadata.ContainsKey(ChatTemplateKey))
        {
            var template = new LLamaTemplate(weights) { AddAssistant = true };
            foreach (var message in messages)
            {
                template.Add(message.Role.Value, message.Text);
            }

            return (Encoding.UTF8.GetString(template.Apply()), []);
        }

        if (messages is [{ } only] && only.Role == ChatRole.User)
        {
            return (only.Text, []);
        }

        var transcript = new StringBuilder();
        foreach (var message in messages)
        {
            transcript.Append(Capitalised(message.Role.Value)).Append(": ").Append(message.Text).Append('\n');
        }

        return (transcript.Append("Assistant:").ToString(), [UserTurn]);
    }

    private static string Capitalised(string role) => role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..];

    private static (string Ready, string Held, bool Stopped) SplitAtStop(string text, IReadOnlyList<string> stops)
    {
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                return (text[..at], "", true);
            }
        }

        for (var start = Math.Max(0, text.Length - stops.Select(s => s.Length).DefaultIfEmpty(0).Max()); start < text.Length; start++)
        {
            var tail = text[start..];
            if (stops.Any(s => s.StartsWith(tail, StringComparison.Ordinal)))
            {
                return (text[..start], tail, false);
            }
        }

        return (text, "", false);
    }
}
