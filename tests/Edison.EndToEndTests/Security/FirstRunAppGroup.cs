namespace Edison.EndToEndTests.Security;

[CollectionDefinition(Name)]
public sealed class FirstRunAppGroup : ICollectionFixture<FirstRunAppFixture>
{
    public const string Name = "edison-app-first-run";
}
