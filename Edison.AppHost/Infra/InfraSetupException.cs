namespace Edison.AppHost.Infra;

/// A precondition of the chosen infra mode is not met; the message says what to do.
public sealed class InfraSetupException : Exception
{
    private static int _handlerInstalled;

    public InfraSetupException()
    {
    }

    public InfraSetupException(string message) : base(message)
    {
    }

    public InfraSetupException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// Under `dotnet run` an unhandled exception prints a stack trace and aborts (exit 134); print only the
    /// actionable message and exit 1 instead. Under Aspire.Hosting.Testing the exception reaches the test as it is.
    public static void ExitCleanlyWhenUnhandled()
    {
        if (Interlocked.Exchange(ref _handlerInstalled, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is InfraSetupException ex)
            {
                Console.Error.WriteLine($"Edison AppHost cannot start: {ex.Message}");
                Environment.Exit(1);
            }
        };
    }
}
