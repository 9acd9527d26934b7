using Npgsql;

namespace Neon.Tenancy.Tests.Fleet;

public sealed class FleetRunRulesTests
{
    [Fact]
    public void DescribeError_KeepsTheSdksMessagesAndPostgresText_ButOnlyTheTypeOfForeignExceptions_RootCauseLast()
    {
        var postgres = new PostgresException("1 note(s) have a blank title", "ERROR", "ERROR", "23514");

        Assert.Equal("PostgreSQL 23514: 1 note(s) have a blank title", FleetRunRules.DescribeError(postgres));
        Assert.Equal("InvalidOperationException <- PostgreSQL 23514: 1 note(s) have a blank title",
            FleetRunRules.DescribeError(new InvalidOperationException("Host=db;Password=secret", postgres)));
        Assert.Equal("ScriptError: script 0004 failed <- PostgreSQL 23514: 1 note(s) have a blank title", // the root cause last
            FleetRunRules.DescribeError(new ScriptError("script 0004 failed", postgres)));
        Assert.Equal(FleetRunRules.MaxErrorLength, FleetRunRules.DescribeError(new ScriptError(new string('x', 5000), null)).Length);
    }

    [Fact]
    public void Backoff_DoublesPerRetry_UpToTenMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), FleetRunRules.Backoff(TimeSpan.FromSeconds(5), 1));
        Assert.Equal(TimeSpan.FromSeconds(20), FleetRunRules.Backoff(TimeSpan.FromSeconds(5), 3));
        Assert.Equal(TimeSpan.FromMinutes(10), FleetRunRules.Backoff(TimeSpan.FromSeconds(5), 40));
    }

    private sealed class ScriptError(string message, Exception? inner) : NeonTenancyException(message, inner);
}
