using System.Text.Json;
using Edison.Core.Llm;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Edison.Web.Pages.Experiments.Wizard;

/// Hands assist runs from the POST to the SSE stream and their outcomes to the result partial through Redis, so any web
/// instance can answer either request. A run is taken once: a reconnecting stream never calls the model twice.
public sealed class AssistRuns(IConnectionMultiplexer redis, IOptions<RedisKeyOptions> keys)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task SaveAsync(AssistRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        await redis.GetDatabase().StringSetAsync(Key("run", run.Id), JsonSerializer.Serialize(run, Json), Lifetime);
    }

    public async Task<AssistRun?> TakeAsync(Guid id)
    {
        var value = await redis.GetDatabase().StringGetDeleteAsync(Key("run", id));
        return value.HasValue ? JsonSerializer.Deserialize<AssistRun>(value.ToString(), Json) : null;
    }

    public async Task SaveOutcomeAsync(Guid id, Guid userId, AssistOutcome outcome) =>
        await redis.GetDatabase().StringSetAsync(Key("outcome", id), JsonSerializer.Serialize(new Stored(userId, outcome), Json), Lifetime);

    /// The outcome, only for the person who asked.
    public async Task<AssistOutcome?> OutcomeAsync(Guid id, Guid userId)
    {
        var value = await redis.GetDatabase().StringGetAsync(Key("outcome", id));
        return value.HasValue && JsonSerializer.Deserialize<Stored>(value.ToString(), Json) is { } stored && stored.UserId == userId ? stored.Outcome : null;
    }

    private RedisKey Key(string kind, Guid id) => $"{keys.Value.KeyPrefix}assist:{kind}:{id:N}";

    private sealed record Stored(Guid UserId, AssistOutcome Outcome);
}
