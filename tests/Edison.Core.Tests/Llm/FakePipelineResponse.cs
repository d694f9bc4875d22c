using System.ClientModel.Primitives;

namespace Edison.Core.Tests.Llm;

/// A provider response as System.ClientModel exposes it, without a network: status, headers and a JSON error body.
internal sealed class FakePipelineResponse(int status, IReadOnlyDictionary<string, string>? headers = null) : PipelineResponse
{
    private readonly BinaryData _content = BinaryData.FromString($$$"""{"error": {"message": "Simulated {{{status}}}."}}""");

    public override int Status => status;

    public override string ReasonPhrase => $"Status {status}";

    public override Stream? ContentStream { get; set; }

    public override BinaryData Content => _content;

    protected override PipelineResponseHeaders HeadersCore => new FakeHeaders(headers ?? new Dictionary<string, string>());

    public override BinaryData BufferContent(CancellationToken cancellationToken = default) => _content;

    public override ValueTask<BinaryData> BufferContentAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_content);

    public override void Dispose()
    {
    }

    private sealed class FakeHeaders(IReadOnlyDictionary<string, string> values) : PipelineResponseHeaders
    {
        public override IEnumerator<KeyValuePair<string, string>> GetEnumerator() => values.GetEnumerator();

        public override bool TryGetValue(string name, out string? value)
        {
            var match = values.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
            value = match.Value;
            return match.Key is not null;
        }

        public override bool TryGetValues(string name, out IEnumerable<string>? values)
        {
            var found = TryGetValue(name, out var value);
            values = found ? [value!] : null;
            return found;
        }
    }
}
