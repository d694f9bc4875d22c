namespace Edison.EndToEndTests.Security;

/// A whole app of its own that nobody has set up yet, for journeys that begin with the first-run setup.
public sealed class FirstRunAppFixture : EdisonAppFixture
{
    protected override bool CompletesSetup => false;
}
