using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Edison.Core.Generation;

/// <summary>
/// MinHash signatures over word 3-shingles: the fraction of equal slots of two signatures estimates the Jaccard similarity
/// of their shingle sets. 128 seeded hash functions keep the estimate within about ±0.09 (one standard deviation 0.044).
/// </summary>
public static class MinHash
{
    /// <summary>The number of hash functions (slots) per signature.</summary>
    public const int Size = 128;

    private const int ShingleWords = 3;

    /// <summary>The signature of <paramref name="text"/> after <see cref="Normalize"/>.</summary>
    public static ulong[] Signature(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var shingles = new HashSet<string>(StringComparer.Ordinal);
        if (words.Length <= ShingleWords)
        {
            shingles.Add(string.Join(' ', words));
        }
        else
        {
            for (var i = 0; i + ShingleWords <= words.Length; i++)
            {
                shingles.Add(string.Join(' ', words, i, ShingleWords));
            }
        }

        var signature = new ulong[Size];
        Array.Fill(signature, ulong.MaxValue);
        foreach (var shingle in shingles)
        {
            var bytes = MemoryMarshal.AsBytes(shingle.AsSpan());
            for (var k = 0; k < Size; k++)
            {
                var hash = XxHash3.HashToUInt64(bytes, k);
                if (hash < signature[k])
                {
                    signature[k] = hash;
                }
            }
        }

        return signature;
    }

    /// <summary>The estimated Jaccard similarity of the texts behind two signatures, 0–1.</summary>
    public static double Similarity(ulong[] a, ulong[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var equal = 0;
        for (var k = 0; k < Size; k++)
        {
            equal += a[k] == b[k] ? 1 : 0;
        }

        return equal / (double)Size;
    }

    /// <summary>Lower case, compatibility-normalised, punctuation dropped, whitespace collapsed.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLower(c, CultureInfo.InvariantCulture));
                space = false;
            }
            else if ((char.IsWhiteSpace(c) || char.IsPunctuation(c) || char.IsSymbol(c)) && !space && builder.Length > 0)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString().TrimEnd();
    }
}
