using System.Globalization;
using System.Text.Json;
using Edison.Core.Datasets;

namespace Edison.Core.Generation;

/// <summary>
/// Drops duplicates in three passes per candidate (exact, normalised, then near-duplicate by MinHash) against every case
/// kept so far, including earlier rounds. Each drop names the kept case it repeats and why.
/// </summary>
public sealed class CaseDeduplicator
{
    /// <summary>The estimated Jaccard similarity from which two cases count as near-duplicates.</summary>
    public const double NearThreshold = 0.8;

    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _normalized = new(StringComparer.Ordinal);
    private readonly List<ulong[]> _signatures = [];

    /// <summary>The MinHash signatures of the kept cases, in kept order.</summary>
    public IReadOnlyList<ulong[]> Signatures => _signatures;

    /// <summary>The text a case is compared by: its variables, sorted by name, one <c>name: value</c> per line.</summary>
    public static string Text(CaseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return string.Join('\n', input.Variables.OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{v.Key}: {(v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : v.Value.GetRawText())}"));
    }

    /// <summary>Decides each candidate in order; kept ones are added, so a later candidate can repeat an earlier one.</summary>
    public IReadOnlyList<DedupDecision> Add(IReadOnlyList<CaseInput> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var decisions = new List<DedupDecision>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            var text = Text(candidates[i]);
            if (_exact.TryGetValue(text, out var exact))
            {
                decisions.Add(new DedupDecision(i, DuplicateKind.Exact, exact, 1, $"Exact duplicate of case {exact + 1}."));
                continue;
            }

            var normalized = MinHash.Normalize(text);
            if (_normalized.TryGetValue(normalized, out var same))
            {
                decisions.Add(new DedupDecision(i, DuplicateKind.Normalized, same, 1,
                    $"Same as case {same + 1} once case, punctuation and spacing are ignored."));
                continue;
            }

            var signature = MinHash.Signature(text);
            var (nearest, similarity) = Nearest(signature);
            if (similarity >= NearThreshold)
            {
                decisions.Add(new DedupDecision(i, DuplicateKind.Near, nearest, similarity, string.Create(CultureInfo.InvariantCulture,
                    $"Near-duplicate of case {nearest + 1} (estimated Jaccard similarity {similarity:0.00} ≥ {NearThreshold:0.0}).")));
                continue;
            }

            var index = _signatures.Count;
            _exact[text] = index;
            _normalized[normalized] = index;
            _signatures.Add(signature);
            decisions.Add(new DedupDecision(i, null, null, similarity, null));
        }

        return decisions;
    }

    private (int Index, double Similarity) Nearest(ulong[] signature)
    {
        var best = (-1, 0.0);
        for (var k = 0; k < _signatures.Count; k++)
        {
            var similarity = MinHash.Similarity(signature, _signatures[k]);
            if (similarity > best.Item2)
            {
                best = (k, similarity);
            }
        }

        return best;
    }
}
