namespace Edison.EndToEndTests;

/// xunit 2 has no assembly fixtures: every AppHost-based class joins this collection and shares one running app.
[CollectionDefinition(Name)]
public sealed class EdisonAppGroup : ICollectionFixture<EdisonAppFixture>
{
    public const string Name = "edison-app";
}
