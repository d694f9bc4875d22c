using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Edison.Core.Regression;

/// <summary>How regression webhooks are delivered.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Edison:Webhooks";

    /// <summary>Attempts per alert, the first included.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second attempt; it doubles after each failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Accept and deliver plain-http webhooks to this machine (a local receiver). Always on in Development; elsewhere only for
    /// test hosts, which receive on loopback. Never in production: metadata and link-local addresses stay refused regardless.
    /// </summary>
    public bool AllowPlainHttpLoopback { get; set; }
}

/// <summary>Validates <see cref="WebhookOptions"/> at start.</summary>
[OptionsValidator]
public sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;
