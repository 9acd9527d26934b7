namespace Neon.Tenancy.Tests.Connections;

public sealed class ConnectionRoleSelectionTests
{
    private static readonly TenantRecord Owner = new()
    {
        TenantId = TenantId.Parse("acme"),
        State = TenantState.Ready,
        Plan = "free",
        PooledConnectionSecret = new byte[] { 1 },
        DirectConnectionSecret = new byte[] { 2 },
        Version = 2,
    };

    private static readonly TenantRecord WithApplication = Owner with
    {
        ApplicationRoleName = "app",
        ApplicationPooledConnectionSecret = new byte[] { 3 },
        ApplicationDirectConnectionSecret = new byte[] { 4 },
    };

    [Theory]
    [InlineData(TenantConnectionRole.Automatic, false, TenantConnectionKind.Pooled, 1, ConnectionSecretKind.Pooled)]
    [InlineData(TenantConnectionRole.Automatic, false, TenantConnectionKind.Direct, 2, ConnectionSecretKind.Direct)]
    [InlineData(TenantConnectionRole.Automatic, true, TenantConnectionKind.Pooled, 3, ConnectionSecretKind.ApplicationPooled)]
    [InlineData(TenantConnectionRole.Automatic, true, TenantConnectionKind.Direct, 4, ConnectionSecretKind.ApplicationDirect)]
    [InlineData(TenantConnectionRole.Owner, true, TenantConnectionKind.Pooled, 1, ConnectionSecretKind.Pooled)]
    [InlineData(TenantConnectionRole.Owner, true, TenantConnectionKind.Direct, 2, ConnectionSecretKind.Direct)]
    [InlineData(TenantConnectionRole.Application, true, TenantConnectionKind.Pooled, 3, ConnectionSecretKind.ApplicationPooled)]
    public void SelectSecret_RoleOption_PicksTheMatchingSecretAndKind(TenantConnectionRole role, bool hasApplication, TenantConnectionKind kind, byte expected, ConnectionSecretKind expectedKind)
    {
        var (secret, secretKind) = TenantDataSourceBuilder.SelectSecret(hasApplication ? WithApplication : Owner, kind, new TenantConnectionOptions { ConnectionRole = role });

        Assert.Equal([expected], secret.ToArray());
        Assert.Equal(expectedKind, secretKind);
    }

    [Fact]
    public void SelectSecret_ApplicationRequiredButTenantHasNone_GivesEmptySecret()
    {
        var (secret, _) = TenantDataSourceBuilder.SelectSecret(Owner, TenantConnectionKind.Pooled, new TenantConnectionOptions { ConnectionRole = TenantConnectionRole.Application });

        Assert.True(secret.IsEmpty);
    }

    [Fact]
    public void Validator_UndefinedConnectionRole_NamesTheSetting()
    {
        var result = new TenantConnectionOptionsValidator().Validate(null, new TenantConnectionOptions { ConnectionRole = (TenantConnectionRole)9 });

        Assert.Contains("NeonTenancy:Connections:ConnectionRole", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_ApplicationKinds_AreBoundToTheirKind()
    {
        var protector = new AesGcmConnectionSecretProtector(Microsoft.Extensions.Options.Options.Create(new NeonTenancyOptions { Secrets = SecretsTestData.Options("k1", ("k1", SecretsTestData.NewKey())) }));
        var id = TenantId.Parse("acme");

        var cipher = protector.Protect(id, ConnectionSecretKind.ApplicationPooled, "Host=h;Username=app;Password=p");

        Assert.Equal("Host=h;Username=app;Password=p", protector.Unprotect(id, ConnectionSecretKind.ApplicationPooled, cipher));
        Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(id, ConnectionSecretKind.Pooled, cipher));
        Assert.Throws<ConnectionSecretException>(() => protector.Unprotect(id, ConnectionSecretKind.ApplicationDirect, cipher));
    }
}
