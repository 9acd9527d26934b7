using System.Globalization;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>The command line, parsed by hand: a handful of flags, each <c>--name value</c> or <c>--name=value</c>.</summary>
internal sealed record MigratorArguments
{
    public const string Usage = """
        Usage: Neon.Tenancy.Samples.Migrator [options]

        Migrates every tenant's schema to this build's version (the deploy step), with live progress and a summary.

          --dry-run            print the plan (tenant, wave, from -> to, or why skipped) and change nothing
          --run-id ID          the run's id; the same id continues a recorded run (default: schema-v{target})
          --parallelism N      tenants migrated at once (default 4; bounded by half the connection budget)
          --canary N           tenants in the canary wave, drawn from the run id (default 0: no canary)
          --wave-size N        tenants per wave after the canary (default 0: the rest in one wave)
          --max-parked N       halt the run once N tenants are parked (default: never)
          --retry-parked       on a rerun of a recorded run, try its parked tenants again
          --seed N             offline only: provision N demo tenants at schema v1 first (default 40)
          --poison K           offline only: give K of them data the last script refuses (default 0)
          --verbose            the SDK's and DbUp's logs on standard error
          --help               this text

        Exit codes: 0 every tenant migrated (or the dry run), 2 tenants parked, 3 the run halted, 1 anything else.
        Without NEON_API_KEY it runs against the in-process Neon fake over NEON_TENANCY_TEST_POSTGRES.
        """;

    public bool DryRun { get; init; }

    public string? RunId { get; init; }

    public int? Parallelism { get; init; }

    public int? Canary { get; init; }

    public int? WaveSize { get; init; }

    public int? MaxParked { get; init; }

    public bool RetryParked { get; init; }

    public int? Seed { get; init; }

    public int Poison { get; init; }

    public bool Verbose { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An unknown flag, a missing value or a number out of range (the message names the flag).</exception>
    public static MigratorArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new MigratorArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            var inline = equals > 0 ? arg[(equals + 1)..] : null;

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            int Number(int min)
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? n
                    : throw new ArgumentException($"{name} must be a whole number of at least {min} (was '{text}').");
            }

            parsed = name switch
            {
                "--dry-run" => parsed with { DryRun = Flag(name, inline) },
                "--run-id" => parsed with { RunId = Value() },
                "--parallelism" => parsed with { Parallelism = Number(1) },
                "--canary" => parsed with { Canary = Number(0) },
                "--wave-size" => parsed with { WaveSize = Number(0) },
                "--max-parked" => parsed with { MaxParked = Number(1) },
                "--retry-parked" => parsed with { RetryParked = Flag(name, inline) },
                "--seed" => parsed with { Seed = Number(0) },
                "--poison" => parsed with { Poison = Number(0) },
                "--verbose" => parsed with { Verbose = Flag(name, inline) },
                "--help" or "-h" or "-?" => parsed with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{arg}'."),
            };
        }

        return parsed;
    }

    private static bool Flag(string name, string? inline) => inline is null
        ? true
        : bool.TryParse(inline, out var value) ? value : throw new ArgumentException($"{name} takes no value, or true/false (was '{inline}').");
}
