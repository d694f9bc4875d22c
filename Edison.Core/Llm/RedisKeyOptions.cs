using System.ComponentModel.DataAnnotations;

namespace Edison.Core.Llm;

/// <summary>Where Edison's Redis keys live (response cache, rate-limit logs), so tests and deployments sharing one server stay apart.</summary>
public sealed class RedisKeyOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Edison:Redis";

    /// <summary>Prefix of every key Edison writes, e.g. <c>edison:</c> (tests pass <c>t{guid}:</c>).</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_\-:.]{1,64}$")]
    public string KeyPrefix { get; set; } = "edison:";
}
