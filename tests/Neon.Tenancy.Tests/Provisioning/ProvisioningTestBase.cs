using Neon.Tenancy.Testing;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary>
/// The setup the provisioning tests share, written once: a fake Neon server (operations take 100 ms) backed by the test
/// PostgreSQL, and one application instance on it (<see cref="ProvisioningRig"/>, in-memory catalog unless
/// <see cref="CreateRig"/> says otherwise), both disposed after each test.
/// </summary>
public abstract class ProvisioningTestBase : IAsyncLifetime
{
    /// <summary>The secret key of the rig's protector.</summary>
    protected string Key { get; } = SecretsTestData.NewKey();

    protected NeonFakeServer Fake { get; private set; } = null!;

    /// <summary>The instance under test; a test may replace it (the old one is the test's to dispose).</summary>
    internal ProvisioningRig Rig { get; set; } = null!;

    /// <summary>The instance under test; the default is the real registration with an in-memory catalog.</summary>
    internal virtual ProvisioningRig CreateRig() => ProvisioningRig.Create(Fake, Key);

    public Task InitializeAsync()
    {
        Fake = ProvisioningRig.StartFake();
        Rig = CreateRig();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Rig.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
