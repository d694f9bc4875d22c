namespace Edison.Core.Llm;

/// <summary>The outcome of a change to a credential: refused changes carry a sentence to show, never an exception.</summary>
public sealed record CredentialChange(bool Succeeded, Guid? Id, string? Error)
{
    internal static CredentialChange Done(Guid id) => new(true, id, null);

    internal static CredentialChange Refused(string error) => new(false, null, error);
}
