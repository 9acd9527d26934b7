// The deploy step: migrate every tenant's schema to this build's version, with live progress, a summary, and an exit
// code a pipeline can act on (0 all migrated, 2 tenants parked, 3 the run halted, 1 anything else).
//
//   bash eng/run-sample.sh --migrator --seed 30 --poison 2     # offline: a throwaway PostgreSQL behind the Neon fake
//   dotnet run --project samples/Neon.Tenancy.Samples.Migrator -- --help
//
// Without NEON_API_KEY it runs against Neon.Tenancy.Testing's fake over real PostgreSQL (NEON_TENANCY_TEST_POSTGRES),
// after provisioning demo tenants at an older schema version. With NEON_API_KEY it migrates the tenants of your
// catalog (NeonTenancy:Catalog:ConnectionString) on Neon. See README.md.
using Spectre.Console;

namespace Neon.Tenancy.Samples.Migrator;

// Not top-level statements: the tests see this assembly's internals, and a global Program would collide with the
// ASP.NET Core sample's.
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C stops starting tenants (running ones finish or are restored); the second ends the process.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };

        if (Console.IsOutputRedirected)
        {
            // A CI log has no terminal width to fit; 80 columns would wrap the tables' error messages.
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        }

        return await MigratorApp.RunAsync(args, AnsiConsole.Console, MigratorEnvironment.FromProcess(), cancel.Token);
    }
}
