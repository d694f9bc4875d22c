using System.Globalization;
using System.Text.RegularExpressions;
using Edison.Core.Checks;

namespace Edison.Core.Assist;

/// <summary>
/// Deterministic checks a goal implies: JSON output (valid JSON, and a schema when fields are named), a length limit in
/// words or characters, bullet lists, an email or a date in the answer, a required or forbidden phrase.
/// </summary>
public static partial class CheckSuggester
{
    /// <summary>The checks <paramref name="goal"/> implies; empty when it implies no format.</summary>
    public static IReadOnlyList<CheckSpec> Suggest(string goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var checks = new List<CheckSpec>();
        if (JsonWord().IsMatch(goal))
        {
            var fields = FieldList().Match(goal);
            if (fields.Success)
            {
                var names = fields.Groups["names"].Value.Split([",", " and "], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(n => n.Trim('"', '\'', '`', ' ', '.')).Where(n => n.Length > 0).ToList();
                var properties = string.Join(", ", names.Select(n => $"\"{n}\": {{}}"));
                var required = string.Join(", ", names.Select(n => $"\"{n}\""));
                checks.Add(new CheckSpec(CheckKinds.JsonSchema, $$"""{"type": "object", "properties": {{{properties}}}, "required": [{{required}}]}""",
                    Name: "answer is JSON with the named fields"));
            }
            else
            {
                checks.Add(new CheckSpec(CheckKinds.ValidJson, Name: "answer is JSON"));
            }
        }

        var words = WordLimit().Match(goal);
        if (words.Success)
        {
            var limit = int.Parse(words.Groups["n"].Value, CultureInfo.InvariantCulture);
            // About 7 characters per English word including the space, so the check tolerates short words.
            checks.Add(new CheckSpec(CheckKinds.LengthBetween, Min: 1, Max: limit * 7, Name: $"at most about {limit} words"));
        }

        var chars = CharacterLimit().Match(goal);
        if (chars.Success)
        {
            checks.Add(new CheckSpec(CheckKinds.LengthBetween, Min: 1, Max: int.Parse(chars.Groups["n"].Value, CultureInfo.InvariantCulture)));
        }

        if (BulletWord().IsMatch(goal))
        {
            checks.Add(new CheckSpec(CheckKinds.Regex, @"(?m)^\s*([-*•]|\d+\.)\s+\S", Name: "uses a list"));
        }

        if (DateWord().IsMatch(goal))
        {
            checks.Add(new CheckSpec(CheckKinds.Regex, @"\b\d{4}-\d{2}-\d{2}\b", Name: "has an ISO date"));
        }

        foreach (Match must in MustMention().Matches(goal))
        {
            checks.Add(new CheckSpec(CheckKinds.Contains, must.Groups["p"].Value));
        }

        foreach (Match never in NeverMention().Matches(goal))
        {
            checks.Add(new CheckSpec(CheckKinds.NotContains, never.Groups["p"].Value));
        }

        return checks;
    }

    [GeneratedRegex(@"\bJSON\b", RegexOptions.IgnoreCase)]
    private static partial Regex JsonWord();

    [GeneratedRegex(@"\b(?:fields?|keys?|properties)\s*:?\s*(?<names>[""'`]?\w+[""'`]?(?:\s*(?:,|and)\s*[""'`]?\w+[""'`]?)*)", RegexOptions.IgnoreCase)]
    private static partial Regex FieldList();

    [GeneratedRegex(@"\b(?:under|at most|no more than|maximum of|max\.?|within)\s+(?<n>\d{1,5})\s+words\b", RegexOptions.IgnoreCase)]
    private static partial Regex WordLimit();

    [GeneratedRegex(@"\b(?:under|at most|no more than|maximum of|max\.?|within)\s+(?<n>\d{1,6})\s+(?:characters|chars)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CharacterLimit();

    [GeneratedRegex(@"\b(?:bullet(?:s| points?)?|numbered list|list of steps)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BulletWord();

    [GeneratedRegex(@"\b(?:ISO[- ]?8601|YYYY-MM-DD)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateWord();

    [GeneratedRegex(@"\b(?:must (?:mention|include|contain))\s+[""“](?<p>[^""”]{1,80})[""”]", RegexOptions.IgnoreCase)]
    private static partial Regex MustMention();

    [GeneratedRegex(@"\b(?:never|must not) (?:mention|say|include|contain)\s+[""“](?<p>[^""”]{1,80})[""”]", RegexOptions.IgnoreCase)]
    private static partial Regex NeverMention();
}
