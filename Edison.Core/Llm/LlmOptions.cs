using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

/// <summary>Edison's one retry policy and call limits for every provider.</summary>
public sealed class LlmOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Edison:Llm";

    /// <summary>Attempts per logical call, the first included.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Time one attempt may take (also the longest pause between streamed chunks).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First backoff; doubles per attempt, with jitter, unless the provider sends Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>No retry is started once this much time has passed since the first attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Where downloaded local GGUF models are kept (fetched once, checked by SHA-256).</summary>
    public string ModelsDirectory { get; set; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "edison", "models");

    /// <summary>Whether gen_ai spans carry prompt and response text (off: they may hold customer data).</summary>
    public bool TraceContent { get; set; }

    /// <summary>Concurrent provider calls inside one chunk job.</summary>
    [Range(1, 64)]
    public int ChunkConcurrency { get; set; } = 4;

    /// <summary>How long a successful response stays in the Redis response cache.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The window a credential's requests_per_minute applies to: a minute in production, shorter in tests
    /// (the limit then means requests per window).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Provider calls in flight at once per credential in one process.</summary>
    [Range(1, 256)]
    public int MaxConcurrentCallsPerCredential { get; set; } = 8;
}

[OptionsValidator]
internal sealed partial class LlmOptionsValidator : IValidateOptions<LlmOptions>;
