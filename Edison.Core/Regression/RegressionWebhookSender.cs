using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Edison.Core.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Regression;

/// <summary>
/// POSTs a regression alert to its experiment's webhook, signed with the experiment's secret, retrying with a doubling delay
/// and a timeout per attempt. Every attempt is recorded; a receiver that never answers costs a worker thread for the
/// attempts and nothing else: the run and the alert are already stored.
/// </summary>
public sealed partial class RegressionWebhookSender : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NpgsqlDataSource _dataSource;
    private readonly WebhookSecretProtector _secrets;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RegressionWebhookSender> _logger;
    // A client of its own, so the host's default resilience handler does not add retries of its own to the ones recorded here.
    // Redirects are off, and the outbound policy is checked on connect (a receiver's name that resolves to a metadata address).
    private readonly HttpClient _http = new(Security.OutboundPolicy.Handler(() => true))
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    internal RegressionWebhookSender(NpgsqlDataSource dataSource, WebhookSecretProtector secrets, IOptions<WebhookOptions> options,
        TimeProvider time, ILogger<RegressionWebhookSender> logger)
    {
        _dataSource = dataSource;
        _secrets = secrets;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Delivers the alert's webhook unless it was already delivered or given up; records each attempt.</summary>
    public async Task DeliverAsync(Guid alertId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var alert = await connection.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition("""
            SELECT a.id, a.experiment_id, e.name AS experiment_name, a.iteration_id, a.baseline_iteration_id, a.prompt_version, a.cases,
                   a.mean_difference, a.ci_low, a.ci_high, a.p_value, a.message, a.created_at, s.webhook_url, s.webhook_secret_protected,
                   (SELECT coalesce(max(d.attempt), 0) FROM webhook_deliveries d WHERE d.alert_id = a.id) AS attempts
            FROM regression_alerts a JOIN experiments e ON e.id = a.experiment_id
            LEFT JOIN regression_schedules s ON s.experiment_id = a.experiment_id
            WHERE a.id = @alertId AND a.webhook_status = 'pending'
            """, new { alertId }, cancellationToken: cancellationToken));
        if (alert is null)
        {
            return;
        }

        if (alert.WebhookUrl is null || alert.WebhookSecretProtected is null)
        {
            await SetStatusAsync(connection, alertId, "none", cancellationToken);
            return;
        }

        var body = JsonSerializer.Serialize(new RegressionAlertPayload(RegressionAlertPayload.RegressionDetected, alert.Id, alert.ExperimentId,
            alert.ExperimentName, alert.IterationId, alert.BaselineIterationId, alert.PromptVersion, alert.Cases, alert.MeanDifference, alert.CiLow,
            alert.CiHigh, alert.PValue, alert.Message, new DateTimeOffset(DateTime.SpecifyKind(alert.CreatedAt, DateTimeKind.Utc))), Json);
        var secret = _secrets.Unprotect(alert.WebhookSecretProtected);
        var delay = _options.FirstRetryDelay;
        // A worker that died mid-delivery resumes the count where it stopped, so the attempts stay bounded.
        for (var attempt = alert.Attempts + 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var (status, error) = await PostAsync(alert.WebhookUrl, secret, alertId, body, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO webhook_deliveries (id, alert_id, attempt, url, status_code, error) VALUES (@id, @alertId, @attempt, @url, @status, @error)
                """, new { id = Ids.New(), alertId, attempt, url = alert.WebhookUrl, status, error }, cancellationToken: cancellationToken));
            if (error is null)
            {
                await SetStatusAsync(connection, alertId, "delivered", cancellationToken);
                return;
            }

            LogAttemptFailed(alertId, attempt, error);
            if (attempt < _options.MaxAttempts)
            {
                await Task.Delay(delay, _time, cancellationToken);
                delay *= 2;
            }
        }

        await SetStatusAsync(connection, alertId, "failed", cancellationToken);
    }

    /// <summary>Whether a plain-http webhook to this machine is delivered (Development only).</summary>
    internal bool AllowPlainHttpLoopback { get; init; }

    private async Task<(int? Status, string? Error)> PostAsync(string url, string secret, Guid alertId, string body, CancellationToken cancellationToken)
    {
        // An address stored before the policy (or in Development) is checked again before anything is sent.
        if (WebhookUrl.Validate(url, AllowPlainHttpLoopback) is { } refused)
        {
            return (null, refused);
        }

        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.DeliveryHeader, alertId.ToString());
        request.Headers.Add(WebhookSignature.EventHeader, RegressionAlertPayload.RegressionDetected);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Edison", "1"));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"The receiver answered {status} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"No answer within {_options.Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
    }

    private static async Task SetStatusAsync(NpgsqlConnection connection, Guid alertId, string status, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition("UPDATE regression_alerts SET webhook_status = @status WHERE id = @alertId",
            new { alertId, status }, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private sealed record AlertRow(Guid Id, Guid ExperimentId, string ExperimentName, Guid IterationId, Guid? BaselineIterationId, int PromptVersion,
        int Cases, double MeanDifference, double CiLow, double CiHigh, double PValue, string Message, DateTime CreatedAt, string? WebhookUrl,
        string? WebhookSecretProtected, int Attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook of alert {AlertId}, attempt {Attempt}, failed: {Error}")]
    private partial void LogAttemptFailed(Guid alertId, int attempt, string error);
}
