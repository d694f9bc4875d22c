namespace Edison.Core.Llm;

/// One in-flight slot of a credential; disposing it frees the slot.
internal readonly struct CredentialLease(SemaphoreSlim gate) : IDisposable
{
    public void Dispose() => gate.Release();
}
