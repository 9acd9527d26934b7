// The fake Neon API for eng/aot-smoke.sh, in its own (JIT) process: WireMock.Net is not AOT-compatible.
//
//   NEON_TENANCY_TEST_POSTGRES=<admin connection string> dotnet Neon.Tenancy.AotSmoke.FakeHost.dll
//
// Every fake project is a real database on that PostgreSQL. Prints one line `NEON_FAKE_API=<base address>` when it
// serves, then runs until SIGTERM/SIGINT (or 10 minutes, so a forgotten host never outlives CI).
using System.Runtime.InteropServices;
using Neon.Tenancy.Testing;

var postgres = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES");
if (string.IsNullOrEmpty(postgres))
{
    Console.Error.WriteLine("NEON_TENANCY_TEST_POSTGRES is not set.");
    return 2;
}

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions
{
    PostgresConnectionString = postgres,
    OperationDuration = TimeSpan.FromMilliseconds(200),
});
Console.WriteLine($"NEON_FAKE_API={fake.ApiBaseAddress}");
Console.Out.Flush();

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
