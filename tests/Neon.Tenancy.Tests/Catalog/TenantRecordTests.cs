namespace Neon.Tenancy.Tests.Catalog;

public sealed class TenantRecordTests
{
    [Fact]
    public void ToString_RecordWithSecrets_ShowsNeitherCiphertextNorPlaintext()
    {
        var protector = SecretsTestData.CreateProtector();
        var id = TenantId.Parse("acme");
        const string Password = "npg_SuperSecret42";
        var pooled = protector.Protect(id, ConnectionSecretKind.Pooled, $"Host=h;Password={Password}");
        var record = new TenantRecord
        {
            TenantId = id,
            State = TenantState.Ready,
            Plan = "pro",
            ProjectId = "p-1",
            PooledConnectionSecret = pooled,
            Version = 3,
        };

        var text = record.ToString();

        Assert.Contains("acme", text, StringComparison.Ordinal);
        Assert.Contains("p-1", text, StringComparison.Ordinal);
        Assert.Contains("PooledConnectionSecret = (protected)", text, StringComparison.Ordinal);
        Assert.Contains("DirectConnectionSecret = (none)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(pooled), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(pooled), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(string.Join(", ", pooled), text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringAndEquals_PendingRestoreWithPreviewSecrets_PrintedWithoutSecretsAndComparedByContent()
    {
        var protector = SecretsTestData.CreateProtector();
        var id = TenantId.Parse("acme");
        const string Password = "npg_PreviewSecret7";
        var direct = protector.Protect(id, ConnectionSecretKind.Direct, $"Host=h;Password={Password}");
        TenantRecord Record(byte[] secret) => new()
        {
            TenantId = id,
            State = TenantState.Ready,
            Plan = "pro",
            PendingRestore = new TenantPendingRestore
            {
                Kind = TenantRestoreKind.Checkpoint,
                Stage = TenantRestoreStage.Previewing,
                Preview = true,
                CheckpointId = "snap-1",
                PreviousBranchId = "br-a",
                BranchId = "br-preview",
                DirectConnectionSecret = secret,
                StartedAt = DateTimeOffset.UnixEpoch,
            },
            Version = 3,
        };

        var record = Record(direct);
        var text = record.ToString();

        Assert.Contains("PendingRestore = TenantPendingRestore { Kind = Checkpoint, Stage = Previewing", text, StringComparison.Ordinal);
        Assert.Contains("DirectConnectionSecret = (protected)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(direct), text, StringComparison.Ordinal);
        Assert.Equal(record, Record([.. direct]));
        Assert.NotEqual(record, Record([.. direct, 1]));
    }

    [Fact]
    public void EqualsAndToString_OwnSettings_ComparedByValueAndPrinted()
    {
        var a = new TenantRecord { TenantId = TenantId.Parse("a"), State = TenantState.Ready, Plan = "p", Settings = new TenantPlanSettings { MaxPoolSize = 3 } };

        Assert.Equal(a, a with { Settings = new TenantPlanSettings { MaxPoolSize = 3 } });
        Assert.NotEqual(a, a with { Settings = new TenantPlanSettings { MaxPoolSize = 4 } });
        Assert.NotEqual(a, a with { Settings = null });
        Assert.Contains("Settings = TenantPlanSettings { ", a.ToString(), StringComparison.Ordinal);
        Assert.Contains("MaxPoolSize = 3", a.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_SecretsWithSameContentInDifferentArrays_AreEqual()
    {
        var a = new TenantRecord { TenantId = TenantId.Parse("a"), State = TenantState.Ready, Plan = "p", PooledConnectionSecret = new byte[] { 1, 2 } };
        var b = a with { PooledConnectionSecret = new byte[] { 1, 2 } };
        var c = a with { PooledConnectionSecret = new byte[] { 1, 3 } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ToStringAndEquals_ApplicationRoleFailureAndDeadline_PrintedWithoutSecretsAndCompared()
    {
        var protector = SecretsTestData.CreateProtector();
        var id = TenantId.Parse("acme");
        const string Password = "npg_AppSecret42";
        var appPooled = protector.Protect(id, ConnectionSecretKind.ApplicationPooled, $"Host=h;Username=app;Password={Password}");
        var until = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var record = new TenantRecord
        {
            TenantId = id,
            State = TenantState.Deleted,
            Plan = "pro",
            ApplicationRoleName = "app",
            ApplicationPooledConnectionSecret = appPooled,
            FailureReason = "Initialize: InvalidOperationException",
            RecoverableUntil = until,
            Version = 3,
        };

        var text = record.ToString();

        Assert.Contains("ApplicationRoleName = app", text, StringComparison.Ordinal);
        Assert.Contains("ApplicationPooledConnectionSecret = (protected)", text, StringComparison.Ordinal);
        Assert.Contains("ApplicationDirectConnectionSecret = (none)", text, StringComparison.Ordinal);
        Assert.Contains("FailureReason = Initialize: InvalidOperationException", text, StringComparison.Ordinal);
        Assert.Contains("RecoverableUntil = 2030-01-02T03:04:05.0000000+00:00", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(appPooled), text, StringComparison.Ordinal);

        Assert.Equal(record, record with { ApplicationPooledConnectionSecret = appPooled.ToArray() });
        Assert.NotEqual(record, record with { ApplicationRoleName = "other" });
        Assert.NotEqual(record, record with { ApplicationDirectConnectionSecret = new byte[] { 1 } });
        Assert.NotEqual(record, record with { FailureReason = null });
        Assert.NotEqual(record, record with { RecoverableUntil = until.AddSeconds(1) });
    }
}
