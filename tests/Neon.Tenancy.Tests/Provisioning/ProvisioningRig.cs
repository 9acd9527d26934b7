using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Neon.Tenancy.Api;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>One application instance: the real AddNeonTenancy registration, pointed at a fake Neon server.</summary>
internal sealed class ProvisioningRig : IAsyncDisposable
{
    private ProvisioningRig(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public TenantDatabaseProvider Provider => (TenantDatabaseProvider)Services.GetRequiredService<ITenantDatabaseProvider>();

    public ITenantCatalog Catalog => Services.GetRequiredService<ITenantCatalog>();

    /// <summary>The registered tenant lock (chosen by the catalog registration).</summary>
    internal ITenantLock Lock => Services.GetRequiredService<ITenantLock>();

    public IConnectionSecretProtector Protector => Services.GetRequiredService<IConnectionSecretProtector>();

    public NeonApiClient Api => Services.GetRequiredService<NeonApiClient>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Builds an instance. <paramref name="catalogConnectionString"/> null = in-memory catalog.</summary>
    public static ProvisioningRig Create(NeonFakeServer fake, string key, string? catalogConnectionString = null, string? schema = null,
        Action<IServiceCollection>? configure = null, Action<INeonTenancyBuilder>? build = null)
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        services.AddMetrics();
        var builder = services
            .AddNeonTenancy(o => o.Secrets = SecretsTestData.Options("k1", ("k1", key)))
            .ConfigureApi(o =>
            {
                fake.ConfigureApi(o);
                o.OperationPollInterval = TimeSpan.FromMilliseconds(20);
            });
        if (catalogConnectionString is null)
        {
            builder.UseInMemoryCatalog();
        }
        else
        {
            builder.UsePostgresCatalog(o =>
            {
                o.ConnectionString = catalogConnectionString;
                o.Schema = schema ?? PostgresDatabaseFixture.NewSchema();
            });
        }

        build?.Invoke(builder);
        configure?.Invoke(services);
        return new ProvisioningRig(services.BuildServiceProvider());
    }

    public static NeonFakeServer StartFake(TimeSpan? operationDuration = null) => NeonFakeServer.Start(new NeonFakeServerOptions
    {
        OperationDuration = operationDuration ?? TimeSpan.FromMilliseconds(100),
        PostgresConnectionString = TestPostgres.AdminConnectionString,
    });

    public string Secret(TenantRecord record, ConnectionSecretKind kind) =>
        Protector.Unprotect(record.TenantId, kind, (kind == ConnectionSecretKind.Pooled ? record.PooledConnectionSecret : record.DirectConnectionSecret).Span);

    public static Task<int> SelectOneAsync(string connectionString) => TenantSql.ScalarAsync<int>(connectionString, "SELECT 1");

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
