using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

public sealed class TenantConnectionStringsTests
{
    [Fact]
    public void Build_NeonHost_RequiresSslAndHasNoPort()
    {
        var built = new NpgsqlConnectionStringBuilder(TenantConnectionStrings.Build("ep-cool-1234-pooler.us-east-2.aws.neon.tech", "neondb", "neondb_owner", "p@ss;word", sslMode: null));

        Assert.Equal("ep-cool-1234-pooler.us-east-2.aws.neon.tech", built.Host);
        Assert.Equal(5432, built.Port);
        Assert.Equal(SslMode.Require, built.SslMode);
        Assert.Equal("p@ss;word", built.Password);
        Assert.Equal("neondb_owner", built.Username);
    }

    [Theory]
    [InlineData("127.0.0.1:6543", "127.0.0.1", 6543)]
    [InlineData("localhost:5433", "localhost", 5433)]
    [InlineData("[::1]:5434", "::1", 5434)]
    public void Build_LoopbackHostWithPort_SplitsPortAndPrefersSsl(string host, string expectedHost, int expectedPort)
    {
        var built = new NpgsqlConnectionStringBuilder(TenantConnectionStrings.Build(host, "db", "role", "pw", sslMode: null));

        Assert.Equal(expectedHost, built.Host);
        Assert.Equal(expectedPort, built.Port);
        Assert.Equal(SslMode.Prefer, built.SslMode);
    }

    [Fact]
    public void Build_ConfiguredSslMode_Wins()
    {
        var built = new NpgsqlConnectionStringBuilder(TenantConnectionStrings.Build("127.0.0.1:1", "db", "role", "pw", SslMode.Disable));

        Assert.Equal(SslMode.Disable, built.SslMode);
    }

    [Fact]
    public void FromUri_NeonUri_ParsesEscapedPasswordAndDatabase()
    {
        var built = new NpgsqlConnectionStringBuilder(TenantConnectionStrings.FromUri("postgresql://owner:p%40ss@ep-x.eu-central-1.aws.neon.tech/app%5Fdb?sslmode=require", sslMode: null));

        Assert.Equal("owner", built.Username);
        Assert.Equal("p@ss", built.Password);
        Assert.Equal("app_db", built.Database);
        Assert.Equal(SslMode.Require, built.SslMode);
    }
}
