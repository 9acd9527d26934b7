using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>What the process environment says about where to run (passed in, so a test decides it).</summary>
/// <param name="ApiKey">NEON_API_KEY: set = run against Neon; unset = the in-process fake.</param>
/// <param name="OrgId">NEON_ORG_ID: the organization, for organization accounts.</param>
/// <param name="Postgres">NEON_TENANCY_TEST_POSTGRES: an admin connection string of the PostgreSQL server behind the fake.</param>
internal sealed record MigratorEnvironment(string? ApiKey, string? OrgId, string? Postgres)
{
    public const string PostgresVariable = "NEON_TENANCY_TEST_POSTGRES";

    public bool Live => !string.IsNullOrEmpty(ApiKey);

    /// <summary>For tests: called with the fake (offline) after the run, before it is disposed (which drops its databases).</summary>
    public Func<NeonFakeServer, Task>? BeforeFakeDisposed { get; init; }

    public static MigratorEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable("NEON_API_KEY"),
        Environment.GetEnvironmentVariable("NEON_ORG_ID"),
        Environment.GetEnvironmentVariable(PostgresVariable));
}
