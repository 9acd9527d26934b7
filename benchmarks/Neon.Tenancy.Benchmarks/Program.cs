using BenchmarkDotNet.Running;
using Neon.Tenancy.Benchmarks;

// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- hit-path-ab   (same-process A/B of the hit path)
// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- fleet-migrate [tenants] [parallelisms...]   (fleet migration stress harness)
// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- warm-pool [signups] [operation-ms...]   (sign-up latency with and without the warm pool)
// Results are committed under benchmarks/results/ (see benchmarks/README.md).
if (args is ["hit-path-ab", ..])
{
    return await HitPathHarness.RunAsync(args);
}

if (args is ["fleet-migrate", ..])
{
    return await FleetMigrationHarness.RunAsync(args);
}

if (args is ["warm-pool", ..])
{
    return await WarmPoolHarness.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
