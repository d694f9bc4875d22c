using Edison.Core.Accounts;

namespace Edison.Web.Infrastructure.Security;

/// Prints the first-run setup token in the web app's log while the instance has no owner, so the person who started it (and
/// can read its log) is the one who sets it up. A configured token (Edison:SetupToken) is never printed.
internal sealed partial class SetupTokenAnnouncer(AccountService accounts, SetupToken setupToken, ILogger<SetupTokenAnnouncer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The database may still be starting (or migrating) when the web app starts: try for a while, then say what failed.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await accounts.IsSetUpAsync(stoppingToken))
                {
                    return;
                }

                if (setupToken.IsConfigured)
                {
                    LogConfiguredToken(logger, SetupGateMiddleware.SetupPath);
                }
                else
                {
                    LogGeneratedToken(logger, SetupGateMiddleware.SetupPath, await setupToken.CurrentAsync(stoppingToken));
                }

                return;
            }
            catch (Npgsql.NpgsqlException ex) when (attempt < 30)
            {
                LogDatabaseNotReady(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First-run setup: open {SetupPath} and enter the setup token {SetupToken} (it is asked once, to create the owner account)")]
    private static partial void LogGeneratedToken(ILogger logger, string setupPath, string setupToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "First-run setup: open {SetupPath} and enter the setup token this deployment configured (Edison:SetupToken)")]
    private static partial void LogConfiguredToken(ILogger logger, string setupPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "The setup token waits for the database: {Reason}")]
    private static partial void LogDatabaseNotReady(ILogger logger, string reason);
}
