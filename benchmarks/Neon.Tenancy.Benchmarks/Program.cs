using BenchmarkDotNet.Running;
using Neon.Tenancy.Benchmarks;

// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- hit-path-ab   (same-process A/B of the hit path)
// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- fleet-migrate [tenants] [parallelisms...]   (fleet migration stress harness)
// Results are committed under benchmarks/results/ (see benchmarks/README.md).
if (args is ["hit-path-ab", ..])
{
    return await HitPathHarness.RunAsync(args);
}

if (args is ["fleet-migrate", ..])
{
    return await FleetMigrationHarness.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
