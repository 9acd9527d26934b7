using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Migrations;
using Neon.Tenancy.Tests.Provisioning;

namespace Neon.Tenancy.Tests.Pool;

/// <summary>
/// One application instance with the warm pool on, over the fake Neon backed by real PostgreSQL: the real
/// <c>AddNeonTenancy</c> registration, a <see cref="ScriptMigrator"/> (through <c>MigratorInitializer</c>, as
/// <c>AddTenantMigrator</c> registers it), an application role, two plans of different compute (two plan classes), and
/// optionally a <see cref="FakeTimeProvider"/> for the catalog's and the pool's clock (the API client keeps the real one).
/// </summary>
internal sealed class WarmPoolRig : IAsyncDisposable
{
    public const string ApplicationRole = "app_user";
    public const string Prefix = "wp-";

    private WarmPoolRig(NeonFakeServer fake, ProvisioningRig rig, ScriptMigrator migrator, FakeTimeProvider? time)
    {
        Fake = fake;
        Rig = rig;
        Migrator = migrator;
        Time = time;
    }

    public NeonFakeServer Fake { get; }

    public ProvisioningRig Rig { get; }

    public ScriptMigrator Migrator { get; }

    /// <summary>The catalog's and the pool's clock, when the rig was created with one.</summary>
    public FakeTimeProvider? Time { get; }

    public IServiceProvider Services => Rig.Services;

    public TenantWarmPool Pool => (TenantWarmPool)Services.GetRequiredService<ITenantWarmPool>();

    public IWarmPoolStore Store => Services.GetRequiredService<IWarmPoolStore>();

    public ITenantCatalog Catalog => Rig.Catalog;

    /// <summary>
    /// Starts a fake and an instance. Plans: <c>free</c> (0.25 CU) and <c>pro</c> (0.25-1 CU), so the classes <c>free</c>
    /// and <c>pro</c>; <paramref name="pool"/> sets the sizes (none by default).
    /// </summary>
    public static WarmPoolRig Create(ScriptMigrator migrator, Action<WarmPoolOptions> pool, string? catalogConnectionString = null, bool fakeTime = false,
        Action<IServiceCollection>? configure = null)
    {
        var fake = NeonFakeServer.Start(new NeonFakeServerOptions
        {
            OperationDuration = TimeSpan.FromMilliseconds(20),
            PostgresConnectionString = TestPostgres.AdminConnectionString,
        });
        var time = fakeTime ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        var rig = ProvisioningRig.Create(fake, SecretsTestData.NewKey(), catalogConnectionString, configure: services =>
        {
            services.Configure<NeonTenancyOptions>(o => o.ProjectNamePrefix = Prefix);
            services.AddSingleton<ITenantMigrator>(migrator);
            services.TryAddSingleton<ITenantDatabaseInitializer, MigratorInitializer>();
            services.Configure<TenantProvisioningOptions>(o => o.ApplicationRoleName = ApplicationRole);
            services.Configure<TenantPlanOptions>(o =>
            {
                o.DefaultPlan = "free";
                o.Plans["free"] = new TenantPlan { MinComputeUnits = 0.25, MaxComputeUnits = 0.25 };
                o.Plans["pro"] = new TenantPlan { MinComputeUnits = 0.25, MaxComputeUnits = 1 };
            });
            services.Configure(pool);
            if (time is not null)
            {
                services.RemoveAll<InMemoryTenantCatalog>();
                services.AddSingleton(new InMemoryTenantCatalog(time));
                services.RemoveAll<TenantWarmPool>();
                services.AddSingleton(sp => ActivatorUtilities.CreateInstance<TenantWarmPool>(sp, (TimeProvider)time));
            }

            configure?.Invoke(services);
        });
        return new WarmPoolRig(fake, rig, migrator, time);
    }

    /// <summary>
    /// Another pool over this instance's services (catalog, store, lease, API) with other options: a redeploy with a
    /// changed configuration, or a second replenisher.
    /// </summary>
    public TenantWarmPool PoolWith(Action<WarmPoolOptions>? change = null)
    {
        var options = new WarmPoolOptions();
        var current = Services.GetRequiredService<IOptions<WarmPoolOptions>>().Value;
        (options.Size, options.MaxAge, options.ReplenishParallelism) = (current.Size, current.MaxAge, current.ReplenishParallelism);
        foreach (var (region, size) in current.Regions)
        {
            options.Regions[region] = size;
        }

        foreach (var plan in current.Plans)
        {
            options.Plans.Add(plan);
        }

        change?.Invoke(options);
        var wrapped = Options.Create(options);
        var layout = new WarmPoolLayout(wrapped, Services.GetRequiredService<PlanBook>());
        return Time is null
            ? ActivatorUtilities.CreateInstance<TenantWarmPool>(Services, layout, wrapped)
            : ActivatorUtilities.CreateInstance<TenantWarmPool>(Services, layout, wrapped, (TimeProvider)Time);
    }

    /// <summary>The pool identity's decrypted secret of an entry (a test reads what the replenisher stored).</summary>
    public string Secret(WarmPoolEntry entry, ConnectionSecretKind kind)
    {
        var secret = kind switch
        {
            ConnectionSecretKind.Pooled => entry.PooledConnectionSecret,
            ConnectionSecretKind.Direct => entry.DirectConnectionSecret,
            ConnectionSecretKind.ApplicationPooled => entry.ApplicationPooledConnectionSecret,
            _ => entry.ApplicationDirectConnectionSecret,
        };
        return Rig.Protector.Unprotect(entry.Identity, kind, secret.Span);
    }

    /// <summary>The names of the fake's live projects.</summary>
    public async Task<HashSet<string>> LiveProjectIdsAsync() => [.. (await Fake.GetProjectsAsync()).Select(p => p.Id)];

    public async ValueTask DisposeAsync()
    {
        await Rig.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
