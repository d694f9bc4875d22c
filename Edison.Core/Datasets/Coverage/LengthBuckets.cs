namespace Edison.Core.Datasets.Coverage;

/// <summary>How long a case's input is, in characters of its variable values: short, medium or long.</summary>
public static class LengthBuckets
{
    /// <summary>Under 80 characters.</summary>
    public const string ShortInput = "short";

    /// <summary>80 to 400 characters.</summary>
    public const string MediumInput = "medium";

    /// <summary>Over 400 characters.</summary>
    public const string LongInput = "long";

    /// <summary>The buckets, shortest first.</summary>
    public static readonly IReadOnlyList<string> All = [ShortInput, MediumInput, LongInput];

    /// <summary>The bucket of an input of <paramref name="characters"/> characters.</summary>
    public static string Of(int characters) => characters < 80 ? ShortInput : characters <= 400 ? MediumInput : LongInput;

    /// <summary>The bucket's range in words, for prompts and labels.</summary>
    public static string Describe(string bucket) => bucket switch
    {
        ShortInput => "under 80 characters",
        MediumInput => "80–400 characters",
        LongInput => "over 400 characters",
        _ => throw new ArgumentOutOfRangeException(nameof(bucket)),
    };
}
