using Edison.Benchmarks;

// Figures, not pass/fail: exit 0 whatever the latencies are, non-zero only when the setup itself fails.
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(20));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

if (BenchmarkSettings.FromEnvironment(args) is not { } settings)
{
    await Console.Error.WriteLineAsync(BenchmarkSettings.Usage);
    return 2;
}

if (args.Contains("--throughput"))
{
    var index = Array.IndexOf(args, "--cases");
    var cases = index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var n) ? n : 1000;
    return await ThroughputBenchmark.RunAsync(settings, cases, stop.Token);
}

if (args.Contains("--assist"))
{
    return await AssistBenchmark.RunAsync(settings, stop.Token);
}

if (args.Contains("--page"))
{
    return await IterationPageBenchmark.RunAsync(settings, stop.Token);
}

return args.Contains("--gateway")
    ? await GatewayBenchmark.RunAsync(settings, stop.Token)
    : await PickupLatencyBenchmark.RunAsync(settings, stop.Token);
