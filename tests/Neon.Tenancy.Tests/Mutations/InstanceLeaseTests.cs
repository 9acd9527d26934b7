using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Mutations;

/// <summary>
/// The "one instance at a time" lease: exclusive across two instances sharing a PostgreSQL catalog, released when the
/// holder disposes it or its session dies; the in-process lease likewise inside one process; chosen by the catalog.
/// </summary>
public sealed class InstanceLeaseTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private const string Name = "checkpoint-scheduler";

    private static ServiceProvider Build(Action<INeonTenancyBuilder> catalog) => TenancyTestHost.Services((_, b) => catalog(b));

    private ServiceProvider Instance(string schema) => Build(b => b.UsePostgresCatalog(o =>
    {
        o.ConnectionString = database.ConnectionString;
        o.Schema = schema;
    }));

    [Fact]
    public async Task PostgresLease_TwoInstances_OnlyOneHoldsIt_TheOtherAfterDispose()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var first = Instance(schema);
        await using var second = Instance(schema);
        var (a, b) = (first.GetRequiredService<IInstanceLease>(), second.GetRequiredService<IInstanceLease>());
        Assert.IsType<PostgresAdvisoryInstanceLease>(a);

        var held = await a.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync(Name, CancellationToken.None));
        Assert.Null(await a.TryAcquireAsync(Name, CancellationToken.None)); // not re-entrant inside the holder either
        await using (var other = await b.TryAcquireAsync("another-job", CancellationToken.None))
        {
            Assert.NotNull(other); // leases are per name
        }

        await held.DisposeAsync();
        await held.DisposeAsync(); // twice is harmless

        await using var next = await b.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(next);
        Assert.Null(await a.TryAcquireAsync(Name, CancellationToken.None));
    }

    [Fact]
    public async Task PostgresLease_OtherCatalogSchema_IsAnotherLease()
    {
        await using var first = Instance(PostgresDatabaseFixture.NewSchema());
        await using var second = Instance(PostgresDatabaseFixture.NewSchema());

        await using var held = await first.GetRequiredService<IInstanceLease>().TryAcquireAsync(Name, CancellationToken.None);
        await using var alsoHeld = await second.GetRequiredService<IInstanceLease>().TryAcquireAsync(Name, CancellationToken.None);

        Assert.NotNull(held);
        Assert.NotNull(alsoHeld);
    }

    [Fact]
    public async Task PostgresLease_HolderSessionDies_AnotherInstanceGetsIt()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var first = Instance(schema);
        await using var second = Instance(schema);
        var a = (PostgresAdvisoryInstanceLease)first.GetRequiredService<IInstanceLease>();
        var b = second.GetRequiredService<IInstanceLease>();
        var held = await a.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync(Name, CancellationToken.None));

        // The holder's process "dies": its session ends without unlocking.
        Assert.Equal(1L, await AdvisoryLockHolders.TerminateAsync(database, a.Key(Name)));

        await using var taken = await b.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(taken);
        await held.DisposeAsync(); // the dead holder's release does not throw
    }

    [Fact]
    public async Task PostgresLease_ManyCallersAtOnce_ExactlyOneHoldsIt()
    {
        var schema = PostgresDatabaseFixture.NewSchema();
        await using var first = Instance(schema);
        await using var second = Instance(schema);
        var leases = new[] { first.GetRequiredService<IInstanceLease>(), second.GetRequiredService<IInstanceLease>() };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => leases[i % 2].TryAcquireAsync(Name, CancellationToken.None).AsTask())))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(attempts, a => a is not null);
        foreach (var attempt in attempts)
        {
            await (attempt?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    [Fact]
    public async Task InProcessLease_OneHolder_ReleasedOnDispose()
    {
        await using var services = Build(b => b.UseInMemoryCatalog());
        var lease = Assert.IsType<InProcessInstanceLease>(services.GetRequiredService<IInstanceLease>());

        var held = await lease.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(await lease.TryAcquireAsync(Name, CancellationToken.None));
        await using (var other = await lease.TryAcquireAsync("another-job", CancellationToken.None))
        {
            Assert.NotNull(other);
        }

        await held.DisposeAsync();
        await using var next = await lease.TryAcquireAsync(Name, CancellationToken.None);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task InProcessLease_ManyCallersAtOnce_ExactlyOneHoldsIt()
    {
        var lease = new InProcessInstanceLease();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => lease.TryAcquireAsync(Name, CancellationToken.None).AsTask())));

        Assert.Single(attempts, a => a is not null);
    }

    [Fact]
    public async Task UsePostgresCatalogThenUseInMemoryCatalog_TheLastChoiceWins()
    {
        await using var services = Build(b => b.UsePostgresCatalog(o => o.ConnectionString = "Host=127.0.0.1;Username=u;Password=p;Database=d").UseInMemoryCatalog());

        Assert.IsType<InProcessInstanceLease>(Assert.Single(services.GetServices<IInstanceLease>()));
        Assert.Empty(services.GetServices<PostgresAdvisoryLocks>());
    }

    [Theory]
    [InlineData("ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech", "ep-cool-darkness-123456.us-east-2.aws.neon.tech")]
    [InlineData("ep-cool-darkness-123456.us-east-2.aws.neon.tech", "ep-cool-darkness-123456.us-east-2.aws.neon.tech")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public async Task PostgresAdvisoryLocks_OnANeonPooledHost_ConnectToTheDirectEndpoint(string host, string expected)
    {
        // A session advisory lock through PgBouncer's transaction mode would neither exclude nor be released with the session.
        await using var locks = new PostgresAdvisoryLocks($"Host={host};Database=catalog;Username=app;Password=secret", "tenancy");

        Assert.Equal(expected, locks.Host);
    }
}
