using System.Buffers.Binary;
using System.IO.Hashing;

namespace Edison.Core.Datasets;

/// <summary>
/// The default 60/20/20 train/validation/test split, decided per case from the dataset's seed and the case's position,
/// so it is reproducible and a new case never moves an old one.
/// </summary>
public static class SplitAssigner
{
    /// <summary>The train split: the refiner learns from its failures.</summary>
    public const string Train = "train";

    /// <summary>The validation split: acceptance of a new version is decided here.</summary>
    public const string Validation = "validation";

    /// <summary>The test split: reported apart, never tuned on.</summary>
    public const string Test = "test";

    /// <summary>Returns the split of the case at <paramref name="position"/>.</summary>
    public static string Assign(int seed, int position)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, seed);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], position);
        var bucket = XxHash32.HashToUInt32(bytes) % 100;
        return bucket < 60 ? Train : bucket < 80 ? Validation : Test;
    }
}
