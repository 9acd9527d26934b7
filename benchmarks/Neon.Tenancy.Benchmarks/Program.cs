using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Neon.Tenancy.Benchmarks -- --filter '*'
// Results are committed under benchmarks/results/ (see benchmarks/README.md).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
