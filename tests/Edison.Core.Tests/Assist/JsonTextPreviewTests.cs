using System.Text;
using System.Text.Json;
using Edison.Core.Assist;

namespace Edison.Core.Tests.Assist;

public sealed class JsonTextPreviewTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] Options = ["Be brief.", "Say \"thanks\"\nthen answer.", "Cite the policy: §4 — refunds ✓"];

    [Fact]
    public void Append_DraftAnswerOneCharacterAtATime_TheOptionTextsOnlyOnePerParagraph()
    {
        var answer = JsonSerializer.Serialize(new { options = Options }, Json);

        var preview = Feed(answer.Select(c => c.ToString()));

        Assert.Equal("Be brief.\n\nSay \"thanks\"\nthen answer.\n\nCite the policy: §4 — refunds ✓", preview);
    }

    [Fact]
    public void Append_UnfinishedString_ShowsWhatHasArrivedSoFar()
    {
        var preview = new JsonTextPreview();

        Assert.Equal("", preview.Append("{\"impro"));
        Assert.Equal("You are", preview.Append("ved\": \"You are"));
        Assert.Equal(" a kind", preview.Append(" a kind"));
        Assert.Equal("", preview.Append("\\"));
        Assert.Equal("\n", preview.Append("n"));
    }

    [Fact]
    public void Append_ImproveAnswer_ImprovedTextThenEachReasonButNoKeys()
    {
        var preview = Feed(["{\"improved\":\"Be kind.\",", "\"reasons\":[\"Tone\",\"Short\"]}"]);

        Assert.Equal("Be kind.\n\nTone\n\nShort", preview);
    }

    [Fact]
    public void Append_UnicodeEscapesSplitAcrossPieces_DecodedWithSurrogatePairsKept()
    {
        var preview = Feed(["```json\n{\"options\":[\"caf\\u00", "e9 \\ud83d", "\\ude00\", 3, true]}\n```"]);

        Assert.Equal("café 😀", preview);
    }

    private static string Feed(IEnumerable<string> pieces)
    {
        var preview = new JsonTextPreview();
        var text = new StringBuilder();
        foreach (var piece in pieces)
        {
            text.Append(preview.Append(piece));
        }

        return text.ToString();
    }
}
