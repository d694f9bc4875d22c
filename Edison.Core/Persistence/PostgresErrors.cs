using Npgsql;

namespace Edison.Core.Persistence;

/// <summary>Classifies database errors.</summary>
public static class PostgresErrors
{
    /// <summary>Connection loss, shutdown, serialization or deadlock: worth another try later; everything else is a bug or bad data.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException pg => pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        TimeoutException => true,
        _ => false,
    };
}
