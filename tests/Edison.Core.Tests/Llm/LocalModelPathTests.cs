using Edison.Core.Llm;
using Edison.Core.Llm.Local;

namespace Edison.Core.Tests.Llm;

public sealed class LocalModelPathTests
{
    [Fact]
    public void ModelPath_FileUrlOfAFile_IsThatFile() =>
        Assert.Equal("/models/qwen.gguf", LocalModelAdapter.ModelPath(new Uri("file:///models/qwen.gguf"), "ignored"));

    [Fact]
    public void ModelPath_FileUrlOfAFolder_CombinesItWithTheModelName() =>
        Assert.Equal("/models/qwen.gguf", LocalModelAdapter.ModelPath(new Uri("file:///models/"), "qwen.gguf"));

    [Fact]
    public void ModelPath_NoBaseUrlAndARootedModel_IsTheModel() =>
        Assert.Equal("/models/qwen.gguf", LocalModelAdapter.ModelPath(null, "/models/qwen.gguf"));

    [Theory]
    [InlineData("https://example.com/qwen.gguf", "qwen.gguf")]
    [InlineData(null, "qwen.gguf")]
    public void ModelPath_NotAFileLocation_FailsAsABadRequestThatNamesFileUrls(string? baseUrl, string model)
    {
        var error = Assert.Throws<LlmCallException>(() => LocalModelAdapter.ModelPath(baseUrl is null ? null : new Uri(baseUrl), model));

        Assert.Equal(LlmErrorClass.BadRequest, error.ErrorClass);
        Assert.Contains("file:///", error.Message, StringComparison.Ordinal);
    }
}
