using Npgsql;
public class SmokeTests
{
    [Fact]
    public async Task Connects()
    {
        var cs = Environment.GetEnvironmentVariable("NEON_TENANCY_TEST_POSTGRES") ?? throw new InvalidOperationException("no pg");
        await using var ds = NpgsqlDataSource.Create(cs);
        await using var c = await ds.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("select 1", c);
        Assert.Equal(1, await cmd.ExecuteScalarAsync());
    }
}
