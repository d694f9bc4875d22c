namespace Edison.Testing.Simulator;

/// <summary>What every part of one response shares: the request and the response's id and creation time.</summary>
internal sealed record ReplyContext(SimRequest Request, string Id, DateTimeOffset Created);
