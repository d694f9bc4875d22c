namespace Edison.Testing;

/// <summary>
/// The first-run setup token test hosts are given through <c>Edison:SetupToken</c>, the documented path for unattended
/// deployments, and then type into the Setup form as a person would.
/// </summary>
public static class TestSetup
{
    /// <summary>The token every test host is configured with.</summary>
    public const string Token = "test-setup-token-5f0c1d9e2b7a4c83";
}
