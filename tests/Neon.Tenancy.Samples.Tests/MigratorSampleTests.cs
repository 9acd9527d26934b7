using System.Text.RegularExpressions;
using Neon.Tenancy.Samples.Migrator;
using Neon.Tenancy.Testing;
using Npgsql;
using Spectre.Console;
using Xunit.Abstractions;

namespace Neon.Tenancy.Samples.Tests;

/// <summary>
/// The migrator sample's entry point, in process, against the Neon fake over the tests' PostgreSQL: what an operator
/// reads and what the pipeline gets back (exit codes), and that a run leaves no database or catalog schema behind.
/// </summary>
public sealed partial class MigratorSampleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DryRun_SeededFleet_PrintsEveryTenantsWaveAndStepAndExitsZero()
    {
        var (code, text) = await RunAsync(["--seed", "6", "--dry-run", "--canary", "2"]);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("6 ready (6 at v1)", text, StringComparison.Ordinal);
        for (var i = 1; i <= 6; i++)
        {
            Assert.Matches($@"tenant-00{i} +│ +(canary|1) +│ migrate +│ 1 -> 4", text);
        }

        Assert.Equal(2, Regex.Matches(text, "│ canary │").Count);
        Assert.Contains("6 tenant(s) would be migrated in 2 wave(s)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Run schema-v4", text, StringComparison.Ordinal); // no run, no summary
    }

    [Fact]
    public async Task Run_PoisonedTenants_ParkedRestoredToV1_OthersAtV4_ExitsTwo_LeavesNothingBehind()
    {
        string[] projects = [];
        var (code, text) = await RunAsync(["--seed", "8", "--poison", "2", "--parallelism", "4"], async fake =>
            projects = [.. (await fake.GetProjectsAsync()).Select(p => p.Id)]);

        Assert.Equal(ExitCodes.Parked, code);
        Assert.Contains("Poisoned: tenant-003, tenant-007.", text, StringComparison.Ordinal);
        Assert.Matches(@"succeeded +│ 6 ", text);
        Assert.Matches(@"parked +│ 2 ", text);
        foreach (var tenant in new[] { "tenant-003", "tenant-007" })
        {
            // The summary names each parked tenant: one attempt (the failure is not transient), catalog and journal
            // back at v1 (the restore undid scripts 2 and 3), and PostgreSQL's own words from script 0004.
            Assert.Matches($@"{tenant} +│ +1 │ v1 +│ v1 +│ PostgreSQL 23514: 1 note\(s\) have a blank title", text);
        }

        Assert.Contains("Tenants now: 8 ready (2 at v1, 6 at v4)", text, StringComparison.Ordinal);
        Assert.Contains("Exit code 2.", text, StringComparison.Ordinal);

        // The fake was disposed: its databases (and the checkpoints' copies) are dropped; the catalog schema too.
        Assert.Equal(8, projects.Length);
        await using var admin = NpgsqlDataSource.Create(Postgres);
        await using var databases = admin.CreateCommand("SELECT count(*) FROM pg_database WHERE datname LIKE ANY (@patterns)");
        databases.Parameters.AddWithValue("patterns", projects.Select(p => p + "\\_%").ToArray());
        Assert.Equal(0L, await databases.ExecuteScalarAsync());
        var schema = CatalogSchema().Match(text).Groups[1].Value;
        await using var schemas = admin.CreateCommand("SELECT count(*) FROM pg_namespace WHERE nspname = @schema");
        schemas.Parameters.AddWithValue("schema", schema);
        Assert.Equal(0L, await schemas.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Run_MaxParkedReached_HaltsWithTenantsNotStarted_ExitsThree()
    {
        var (code, text) = await RunAsync(["--seed", "6", "--poison", "3", "--parallelism", "1", "--max-parked", "1"]);

        Assert.Equal(ExitCodes.Halted, code);
        Assert.Matches(@"state +│ halted", text);
        Assert.Matches(@"not started +│ [1-5] \(still at their old version\)", text);
        Assert.Contains("Exit code 3.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CleanFleet_OnATerminal_DrawsBarsAndExitsZero()
    {
        var (code, text) = await RunAsync(["--seed", "4"], terminal: true);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("\u001b[6A", text, StringComparison.Ordinal); // the live display redraws its six lines in place
        var plain = Escape().Replace(text, "");
        Assert.Matches(@"succeeded +━+ +4/4", plain);
        Assert.Matches(@"succeeded +│ 4 ", plain);
        Assert.Contains("Tenants now: 4 ready (4 at v4)", plain, StringComparison.Ordinal);
        Assert.Contains("Every tenant is at the target version", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--parallelism 0", "", "--parallelism must be a whole number of at least 1")]
    [InlineData("--canary", "", "--canary needs a value")]
    [InlineData("--fast", "", "Unknown option '--fast'")]
    [InlineData("--seed 2 --poison 3", "", "--poison 3 is more than the 2 tenant(s)")]
    [InlineData("--seed 5", "a-neon-api-key", "--seed and --poison make demo tenants on the offline fake")]
    public async Task Refused_BeforeAnythingRuns_ExitsOne(string arguments, string apiKey, string message)
    {
        var (console, writer) = CreateConsole(terminal: false);
        var code = await MigratorApp.RunAsync(arguments.Split(' '), console, new MigratorEnvironment(apiKey, null, "Host=127.0.0.1;Port=1"), CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains(message, writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_WithoutPostgres_ExitsOneNamingTheVariable()
    {
        var (console, writer) = CreateConsole(terminal: false);
        var code = await MigratorApp.RunAsync([], console, new MigratorEnvironment(null, null, null), CancellationToken.None);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("NEON_TENANCY_TEST_POSTGRES", writer.ToString(), StringComparison.Ordinal);
    }

    private static string Postgres => Environment.GetEnvironmentVariable(SampleApp.PostgresVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{SampleApp.PostgresVariable} is not set: run the tests with `bash eng/test.sh`, which starts a PostgreSQL server and sets it.");

    private async Task<(int Code, string Text)> RunAsync(string[] args, Func<NeonFakeServer, Task>? beforeFakeDisposed = null, bool terminal = false)
    {
        var (console, writer) = CreateConsole(terminal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var environment = new MigratorEnvironment(ApiKey: null, OrgId: null, Postgres) { BeforeFakeDisposed = beforeFakeDisposed };
        var code = await MigratorApp.RunAsync(args, console, environment, timeout.Token);
        var text = writer.ToString();
        output.WriteLine(text);
        return (code, text);
    }

    /// <summary>A console writing to a string: plain, as in a CI log, or a terminal's (ANSI, interactive).</summary>
    private static (IAnsiConsole Console, StringWriter Writer) CreateConsole(bool terminal)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return (console, writer);
    }

    [GeneratedRegex(@"\u001b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Escape();

    [GeneratedRegex(@"schema (migrator_sample_[0-9a-f]{8})")]
    private static partial Regex CatalogSchema();
}
