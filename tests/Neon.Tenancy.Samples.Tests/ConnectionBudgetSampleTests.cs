using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;
using Neon.Tenancy.Tests.Shared;

namespace Neon.Tenancy.Samples.Tests;

/// <summary>
/// The sample's EF Core and plain endpoints for hundreds of tenants in a row, with the default connection options:
/// every tenant is served, none waits for the global budget, and the physical connections stay within it.
/// </summary>
public sealed class ConnectionBudgetSampleTests(ITestOutputHelper output)
{
    private const int EfTenants = 200;
    private const int PlainTenants = 200;
    private const int SampleEvery = 5;

    [Fact]
    public async Task TodosThenNotes_HundredsOfTenantsInARow_DefaultOptions_AllServedWithoutBudgetWaitsWithinTheBudget()
    {
        var total = Stopwatch.StartNew();
        // Provisioning 400 tenants is not what this test is about: no client-side rate limit (the fake enforces none).
        await using var app = new SampleApp { Settings = { ["NeonTenancy:Api:RateLimit:Enabled"] = "false" } };
        using var anonymous = app.CreateClient();
        var options = app.Services.GetRequiredService<IOptions<TenantConnectionOptions>>().Value;
        Assert.Equal((200, 20, TimeSpan.FromSeconds(5)), (options.ConnectionBudget, options.MaxPoolSize, options.BudgetWaitTimeout));

        var run = Guid.NewGuid().ToString("N")[..6];
        var tenants = Enumerable.Range(0, EfTenants + PlainTenants)
            .Select(i => TenantId.Parse(string.Create(CultureInfo.InvariantCulture, $"budget-{run}-{i}")))
            .ToArray();
        var provider = app.Services.GetRequiredService<ITenantDatabaseProvider>();
        var projects = new ConcurrentBag<string>();
        var provisioning = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (tenant, cancellationToken) =>
        {
            var database = await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "free" }, cancellationToken);
            projects.Add(database.ProjectId!);
        });
        provisioning.Stop();

        // Budget waits as a user sees them: the factory's counter on this app's meter (other tests' apps run alongside).
        using var budgetWaits = new CounterTotal(app.Services.GetRequiredService<IMeterFactory>(), "neon.tenancy.connection.budget.waits");

        await using var admin = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable(SampleApp.PostgresVariable)!);
        var serverPort = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(SampleApp.PostgresVariable)).Port;
        var databasePatterns = projects.Select(p => p.Replace("_", "\\_", StringComparison.Ordinal) + "\\_%").ToArray();
        var afterProvisioning = await LiveBackendsAsync(admin, serverPort, databasePatterns);
        var maxPhysical = 0;
        var samples = 0;
        var slowest = TimeSpan.Zero;

        var requests = Stopwatch.StartNew();
        for (var i = 0; i < tenants.Length; i++)
        {
            var path = i < EfTenants ? "/todos" : "/notes";
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Tenant-Id", tenants[i].Value);
            var sent = Stopwatch.GetTimestamp();
            using var response = await anonymous.SendAsync(request);
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, Stopwatch.GetElapsedTime(sent).Ticks));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Assert.Fail($"Request {i + 1} ({path}, tenant {tenants[i]}) answered {(int)response.StatusCode} after {requests.Elapsed}: {await response.Content.ReadAsStringAsync()}");
            }

            Assert.Equal("[]", await response.Content.ReadAsStringAsync());

            // Between requests nothing opens, so the count below is exact (see LiveBackendsAsync).
            if (i % SampleEvery == SampleEvery - 1 || i == tenants.Length - 1)
            {
                maxPhysical = Math.Max(maxPhysical, await LiveBackendsAsync(admin, serverPort, databasePatterns));
                samples++;
            }
        }

        requests.Stop();
        output.WriteLine($"provisioned {tenants.Length} tenants in {provisioning.Elapsed} ({afterProvisioning} connections to their databases left open); {EfTenants} EF Core then {PlainTenants} plain requests in {requests.Elapsed} (slowest {slowest.TotalMilliseconds:0} ms); budget waits {budgetWaits.Value}; max physical connections {maxPhysical} of {options.ConnectionBudget} in {samples} samples; total {total.Elapsed}");
        Assert.Equal(0, afterProvisioning); // signing up leaves no connection behind
        Assert.Equal(0, budgetWaits.Value);
        Assert.InRange(maxPhysical, 1, options.ConnectionBudget);
        Assert.True(samples >= (EfTenants + PlainTenants) / SampleEvery, $"{samples} samples");
    }

    /// <summary>
    /// The tenants' physical connections: backends in their databases (pg_stat_activity) whose server socket is
    /// ESTABLISHED. The TCP table is read first: a connection the client already closed (its backend may linger in
    /// pg_stat_activity a moment on a loaded machine) is not ESTABLISHED, and nothing opens between the two reads.
    /// Without <c>/proc/net/tcp</c> (not Linux) every backend counts.
    /// </summary>
    private static async Task<int> LiveBackendsAsync(NpgsqlDataSource admin, int serverPort, string[] databasePatterns)
    {
        var established = File.Exists("/proc/net/tcp") ? TcpSockets.EstablishedClientPorts(serverPort) : null;
        var ports = new List<int>();
        await using (var command = admin.CreateCommand("SELECT client_port FROM pg_stat_activity WHERE datname LIKE ANY($1) AND client_port IS NOT NULL"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = databasePatterns });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ports.Add(reader.GetInt32(0));
            }
        }

        return established is null ? ports.Count : ports.Distinct().Count(established.Contains);
    }
}
