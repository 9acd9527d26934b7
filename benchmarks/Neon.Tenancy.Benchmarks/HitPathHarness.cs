using System.Diagnostics;
using System.Globalization;

namespace Neon.Tenancy.Benchmarks;

/// <summary>
/// A/B harness for issue #6's hit-path ratio. BenchmarkDotNet measures each variant in its own process, and on these
/// machines the raw open alone moved by ±20 % between processes (more than the difference being measured). Here every
/// variant runs in one process, on the same pools, in short batches whose order rotates each round, so drift hits all
/// of them alike; the ratio is taken per round and reported as a median with its spread.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- hit-path-ab [rounds] [batch]</c>, with
/// <c>NEON_TENANCY_TEST_POSTGRES</c> set as for the benchmarks.
/// </remarks>
internal static class HitPathHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 201;
        var batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
        var loadBefore = LoadAverage();
        var bench = new ConnectionFactoryOpenBenchmarks();
        bench.Setup();
        try
        {
            (string Name, Func<ValueTask<int>> Run)[] variants =
            [
                ("NpgsqlDataSource.OpenConnectionAsync (baseline)", bench.RawDataSource),
                ("raw open on the factory's data source", bench.FactorySourceRaw),
                ("raw + StateChange close hook", bench.RawWithCloseHook),
                ("raw + entry acquire/attach/release", bench.RawWithEntry),
                ("lookup + entry acquire/attach/release", bench.LookupWithEntry),
                ("ITenantConnectionFactory.OpenConnectionAsync (hit)", bench.Factory),
                ("lookup + raw open", bench.LookupWithRawOpen),
                ("ITenantConnectionFactory.OpenConnectionAsync (hit, no budget)", bench.FactoryWithoutBudget),
            ];
            var nsPerOp = variants.Select(_ => new List<double>(rounds)).ToArray();
            var bytesPerOp = variants.Select(_ => new List<double>(rounds)).ToArray();

            for (var warmup = 0; warmup < 5; warmup++)
            {
                foreach (var variant in variants)
                {
                    await RunBatchAsync(variant.Run, batch);
                }
            }

            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < variants.Length; k++)
                {
                    var i = (round + k) % variants.Length;
                    var allocated = GC.GetAllocatedBytesForCurrentThread();
                    var elapsed = await RunBatchAsync(variants[i].Run, batch);
                    bytesPerOp[i].Add((double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / batch);
                    nsPerOp[i].Add(elapsed.TotalNanoseconds / batch);
                }
            }

            var baseline = nsPerOp[0];
            Console.WriteLine($"Hit-path A/B: {rounds} rounds x {batch:N0} opens per variant, order rotated each round; .NET {Environment.Version}, {Environment.ProcessorCount} cores; load average before {loadBefore}, after {LoadAverage()}.");
            Console.WriteLine();
            Console.WriteLine("| Variant | Median ns/op | p25-p75 ns/op | Median ratio to baseline (per round) | p25-p75 ratio | Median allocated B/op |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            for (var i = 0; i < variants.Length; i++)
            {
                var ratios = nsPerOp[i].Select((v, r) => v / baseline[r]).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variants[i].Name} | {Percentile(nsPerOp[i], 0.5):0.0} | {Percentile(nsPerOp[i], 0.25):0.0}-{Percentile(nsPerOp[i], 0.75):0.0} | {Percentile(ratios, 0.5):0.000} | {Percentile(ratios, 0.25):0.000}-{Percentile(ratios, 0.75):0.000} | {Percentile(bytesPerOp[i], 0.5):0.#} |"));
            }

            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static async ValueTask<TimeSpan> RunBatchAsync(Func<ValueTask<int>> run, int count)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await run();
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The machine's load (1, 5, 15 minutes) where Linux tells it, for the record: the machine is shared.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var index = p * (sorted.Count - 1);
        var low = (int)Math.Floor(index);
        var high = (int)Math.Ceiling(index);
        return sorted[low] + ((sorted[high] - sorted[low]) * (index - low));
    }
}
