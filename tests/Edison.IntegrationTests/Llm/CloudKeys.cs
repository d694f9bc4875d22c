using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edison.Testing.Simulator;

namespace Edison.IntegrationTests.Llm;

/// <summary>Secrets in the shapes Bedrock and Vertex credentials store, naming a simulator tenant.</summary>
internal static class CloudKeys
{
    // One key pair for every test: RSA generation is slow, and the tenant travels in client_email, not in the key.
    private static readonly Lazy<string> PrivateKey = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    });

    /// <summary>ACCESS_KEY_ID:SECRET, with the tenant's key as the access key id the simulator reads from the SigV4 header.</summary>
    public static string Bedrock(SimTenant tenant) => $"{tenant.ApiKey}:sim-secret-access-key";

    /// <summary>A service-account JSON key whose email names the tenant and whose token_uri is the simulator's.</summary>
    public static string ServiceAccountJson(SimTenant tenant, ProviderSimulator simulator) => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = "edison-sim",
        ["private_key_id"] = "sim-key-1",
        ["private_key"] = PrivateKey.Value,
        ["client_email"] = $"{tenant.ApiKey}@edison-sim.iam.gserviceaccount.com",
        ["token_uri"] = simulator.TokenUrl.ToString(),
    }.ToJsonString();
}
