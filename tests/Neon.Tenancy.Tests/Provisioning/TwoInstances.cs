using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>
/// Two application instances of one app: the same fake Neon, the same secret key and one PostgreSQL catalog (a fresh
/// schema), so what one instance reserves, locks or writes the other sees.
/// </summary>
internal sealed class TwoInstances : IAsyncDisposable
{
    private TwoInstances(ProvisioningRig first, ProvisioningRig second) => (First, Second) = (first, second);

    public ProvisioningRig First { get; }

    public ProvisioningRig Second { get; }

    public static TwoInstances Create(NeonFakeServer fake, string catalogConnectionString, Action<IServiceCollection>? configure = null,
        Action<INeonTenancyBuilder>? build = null)
    {
        var key = SecretsTestData.NewKey();
        var schema = PostgresDatabaseFixture.NewSchema();
        return new TwoInstances(
            ProvisioningRig.Create(fake, key, catalogConnectionString, schema, configure, build),
            ProvisioningRig.Create(fake, key, catalogConnectionString, schema, configure, build));
    }

    /// <summary>
    /// Builds both instances' connection factories and waits until both catalogs' change feeds listen: a feed that starts
    /// listening publishes Reset, which clears the connection caches, so caches filled before then prove nothing.
    /// </summary>
    public async Task WhenListeningAsync()
    {
        foreach (var rig in new[] { First, Second })
        {
            _ = rig.Services.GetRequiredService<TenantConnectionFactory>();
            await ((PostgresTenantCatalog)rig.Catalog).WhenListeningAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public void Deconstruct(out ProvisioningRig first, out ProvisioningRig second) => (first, second) = (First, Second);

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}
