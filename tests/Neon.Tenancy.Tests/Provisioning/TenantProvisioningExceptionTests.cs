using Npgsql;

namespace Neon.Tenancy.Tests.Provisioning;

/// <summary><see cref="TenantProvisioningException.IsTransient"/> is its cause's: a retry loop on the root type decides correctly.</summary>
public sealed class TenantProvisioningExceptionTests
{
    private static readonly TenantId Tenant = TenantId.Parse("acme");

    public static TheoryData<Exception, bool> Causes() => new()
    {
        { new TimeoutException("the catalog did not answer"), true },
        { new NpgsqlException("connection broken", new IOException("reset by peer")), true },
        { new NpgsqlException("refused"), false },
        { new TenantConcurrencyException(Tenant, 1, 2), false },
        { new InvalidOperationException("a bug in the initializer"), false },
    };

    [Theory]
    [MemberData(nameof(Causes))]
    public void IsTransient_IsTheCauses(Exception cause, bool transient)
    {
        var failure = new TenantProvisioningException(Tenant, TenantProvisioningStep.Initialize, cause);

        Assert.Equal(transient, failure.IsTransient);
        Assert.Same(cause, failure.InnerException);
    }
}
