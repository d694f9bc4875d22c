using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Edison.Core.Llm;

/// Caps provider calls in flight per credential in this process, whatever the callers' own parallelism.
internal sealed class CredentialConcurrency(IOptions<LlmOptions> options)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _gates = new();

    public async Task<CredentialLease> EnterAsync(Guid credentialId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(credentialId, _ => new SemaphoreSlim(options.Value.MaxConcurrentCallsPerCredential));
        await gate.WaitAsync(cancellationToken);
        return new CredentialLease(gate);
    }
}
