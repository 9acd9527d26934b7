using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Neon.Tenancy.Testing;
using Neon.Tenancy.Tests.Infrastructure;
using Neon.Tenancy.Tests.Provisioning;
using Npgsql;

namespace Neon.Tenancy.Tests.Hardening;

/// <summary>
/// A whole tenant lifecycle through the host, with everything a telemetry pipeline could export captured: every log
/// record at Trace from every category (message, state, exception), every exception thrown anywhere in the process, and
/// every <see cref="Activity"/> of every <see cref="ActivitySource"/> (Npgsql's included) with all data recorded. Not
/// one of them may carry the API key or any tenant password.
/// </summary>
public sealed class NoSecretInTelemetryTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    // Not shaped like a Neon key (napi_...), so no scrubber that only knows that shape can hide a leak.
    private const string ApiKey = "Sentinel-ApiKey-7f3a9c2e-QXZ-hardening";

    [Fact]
    public async Task FullLifecycle_WithEverythingRecorded_NoApiKeyOrPasswordInLogsExceptionsOrTraces()
    {
        var captured = new ConcurrentQueue<string>();
        var npgsqlStatements = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = static _ => true,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a => captured.Enqueue(Describe(a)),
            ActivityStopped = a =>
            {
                if (a.Source.Name == "Npgsql" && (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")) is not null)
                {
                    Interlocked.Increment(ref npgsqlStatements);
                }

                captured.Enqueue(Describe(a));
            },
        };
        ActivitySource.AddActivityListener(listener);
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> onException = (_, e) => captured.Enqueue(SafeToString(e.Exception));
        AppDomain.CurrentDomain.FirstChanceException += onException;
        var passwords = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var fake = NeonFakeServer.Start(new NeonFakeServerOptions
            {
                ApiKey = ApiKey,
                OperationDuration = TimeSpan.FromMilliseconds(50),
                PostgresConnectionString = TestPostgres.AdminConnectionString,
            });
            using var host = TenancyTestHost.BuildOverFake(fake, database.ConnectionString, "hard-", "app", b =>
            {
                b.Logging.SetMinimumLevel(LogLevel.Trace);
                b.Logging.AddFilter(static _ => true);
                b.Services.AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = true);
            });
            await host.StartAsync();
            var provider = host.Services.GetRequiredService<ITenantDatabaseProvider>();
            var connections = host.Services.GetRequiredService<ITenantConnectionFactory>();
            var plans = host.Services.GetRequiredService<IPlanLimits>();
            var catalog = host.Services.GetRequiredService<ITenantCatalog>();
            var protector = host.Services.GetRequiredService<IConnectionSecretProtector>();
            var tenant = TenantId.Parse("telemetry-tenant");

            var provisioned = await provider.ProvisionAsync(tenant, new TenantProvisionRequest { Plan = "pro" });
            Assert.Equal("app", provisioned.ApplicationRoleName);
            await CollectPasswordsAsync(catalog, protector, tenant, passwords);
            var afterProvision = DateTimeOffset.UtcNow;
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Pooled);
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Direct);

            await provider.RotateCredentialsAsync(tenant);
            await CollectPasswordsAsync(catalog, protector, tenant, passwords);
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Pooled);
            await plans.ChangePlanAsync(tenant, "free");
            await Task.Delay(100);
            await provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = afterProvision });
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Direct);

            // A failure on the way, so exception text is captured too: a restore point in the future.
            var failure = await Record.ExceptionAsync(() => provider.RestoreAsync(tenant, new TenantRestoreRequest { Timestamp = DateTimeOffset.UtcNow.AddDays(1) }));
            Assert.NotNull(failure);
            captured.Enqueue(failure.ToString());

            // Checkpoints: a preview's secrets, its connection and the finalized branch's secrets go through the same checks.
            var checkpoints = host.Services.GetRequiredService<ITenantCheckpoints>();
            var checkpoint = await checkpoints.CreateCheckpointAsync(tenant, "telemetry", new Dictionary<string, string> { ["app.version"] = "1.0.0" });
            await checkpoints.RestoreCheckpointAsync(tenant, checkpoint.Id, TenantRestoreMode.Preview);
            await CollectPasswordsAsync(catalog, protector, tenant, passwords);
            await using (var preview = await checkpoints.OpenPreviewConnectionAsync(tenant))
            await using (var command = new Npgsql.NpgsqlCommand("SELECT 1", preview))
            {
                await command.ExecuteScalarAsync();
            }

            await checkpoints.FinalizeRestoreAsync(tenant);
            await CollectPasswordsAsync(catalog, protector, tenant, passwords);
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Pooled);

            await provider.DeleteAsync(tenant);
            await provider.RecoverAsync(tenant);
            await CollectPasswordsAsync(catalog, protector, tenant, passwords);
            await SelectOneAsync(connections, tenant, TenantConnectionKind.Pooled);
            await host.StopAsync();

            foreach (var record in host.Services.GetFakeLogCollector().GetSnapshot())
            {
                captured.Enqueue(record.Level + " " + record.Category + " " + record.Message);
                captured.Enqueue(SafeToString(record.Exception));
                foreach (var (key, value) in record.StructuredState ?? [])
                {
                    captured.Enqueue(key + "=" + value);
                }

                foreach (var scope in record.Scopes)
                {
                    captured.Enqueue(scope is IEnumerable<KeyValuePair<string, object?>> pairs
                        ? string.Join(";", pairs.Select(p => p.Key + "=" + p.Value))
                        : scope?.ToString() ?? string.Empty);
                }
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= onException;
        }

        // The capture works: Npgsql statements were traced, and the owner and application role rotated (4 passwords or more).
        Assert.True(npgsqlStatements > 0, "No Npgsql statement was traced: the listener captured nothing to check.");
        Assert.True(passwords.Count >= 4, $"Expected the owner's and the application role's passwords before and after rotation; read {passwords.Count}.");
        var text = string.Join("\n", captured);
        Assert.Contains("telemetry-tenant", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, text, StringComparison.Ordinal);
        foreach (var password in passwords)
        {
            var at = text.IndexOf(password, StringComparison.Ordinal);
            Assert.True(at < 0, $"A tenant password appears in captured telemetry: ...{(at < 0 ? string.Empty : text.Substring(Math.Max(0, at - 120), Math.Min(120, at)))}[password]");
        }
    }

    private static async Task CollectPasswordsAsync(ITenantCatalog catalog, IConnectionSecretProtector protector, TenantId tenant, HashSet<string> passwords)
    {
        var record = await catalog.GetAsync(tenant) ?? throw new InvalidOperationException("The tenant is not in the catalog.");
        var secrets = new (ConnectionSecretKind Kind, ReadOnlyMemory<byte> Secret)[]
        {
            (ConnectionSecretKind.Pooled, record.PooledConnectionSecret),
            (ConnectionSecretKind.Direct, record.DirectConnectionSecret),
            (ConnectionSecretKind.ApplicationPooled, record.ApplicationPooledConnectionSecret),
            (ConnectionSecretKind.ApplicationDirect, record.ApplicationDirectConnectionSecret),
            (ConnectionSecretKind.Pooled, record.PendingRestore?.PooledConnectionSecret ?? default),
            (ConnectionSecretKind.Direct, record.PendingRestore?.DirectConnectionSecret ?? default),
        };
        foreach (var (kind, secret) in secrets)
        {
            if (secret.IsEmpty)
            {
                continue;
            }

            var password = new NpgsqlConnectionStringBuilder(protector.Unprotect(tenant, kind, secret.Span)).Password;
            Assert.False(string.IsNullOrEmpty(password));
            passwords.Add(password!);
        }
    }

    private static async Task SelectOneAsync(ITenantConnectionFactory connections, TenantId tenant, TenantConnectionKind kind) =>
        Assert.Equal(1, await TenantSql.ScalarAsync<int>(connections, tenant, kind, "SELECT 1"));

    private static string Describe(Activity activity)
    {
        var text = new System.Text.StringBuilder()
            .Append(activity.Source.Name).Append(' ').Append(activity.OperationName).Append(' ').Append(activity.DisplayName)
            .Append(' ').Append(activity.StatusDescription);
        foreach (var (key, value) in activity.TagObjects)
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        foreach (var e in activity.Events)
        {
            text.Append(" event ").Append(e.Name);
            foreach (var (key, value) in e.Tags)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }

        foreach (var (key, value) in activity.Baggage)
        {
            text.Append(" baggage ").Append(key).Append('=').Append(value);
        }

        return text.ToString();
    }

    private static string SafeToString(Exception? exception)
    {
        try
        {
            return exception?.ToString() ?? string.Empty;
        }
        catch (Exception other) when (other is not OutOfMemoryException)
        {
            return exception!.GetType().FullName + ": " + exception.Message;
        }
    }
}
