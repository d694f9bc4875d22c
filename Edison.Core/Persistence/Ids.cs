namespace Edison.Core.Persistence;

internal static class Ids
{
    /// Time-ordered ids keep b-tree inserts local and make rows sort by creation.
    public static Guid New() => Guid.CreateVersion7();
}
