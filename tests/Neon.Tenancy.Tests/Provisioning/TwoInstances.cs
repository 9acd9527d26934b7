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

    public static TwoInstances Create(NeonFakeServer fake, string catalogConnectionString, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null)
    {
        var key = SecretsTestData.NewKey();
        var schema = PostgresDatabaseFixture.NewSchema();
        return new TwoInstances(
            ProvisioningRig.Create(fake, key, catalogConnectionString, schema, configure),
            ProvisioningRig.Create(fake, key, catalogConnectionString, schema, configure));
    }

    public void Deconstruct(out ProvisioningRig first, out ProvisioningRig second) => (first, second) = (First, Second);

    public async ValueTask DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}
