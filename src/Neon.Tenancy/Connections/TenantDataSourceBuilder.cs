using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>
/// Turns a tenant's decrypted connection secret into an <see cref="NpgsqlDataSource"/> tuned for Neon. The secret is an
/// Npgsql keyword connection string (what the SDK stores) or a <c>postgres://</c>/<c>postgresql://</c> URI (what Neon
/// returns), converted here. Never includes the secret in an exception.
/// </summary>
internal static class TenantDataSourceBuilder
{
    /// <summary>Low-cardinality data-source names for Npgsql's metrics (tenant ids would be unbounded).</summary>
    public const string PooledName = "neon-tenancy-pooled";

    public const string DirectName = "neon-tenancy-direct";

    public static TimeSpan PruningInterval(TenantConnectionOptions options) => PruningInterval(options.ConnectionIdleLifetime);

    /// <summary>
    /// The encrypted secret to connect with for <paramref name="kind"/> under <see cref="TenantConnectionOptions.ConnectionRole"/>,
    /// and the secret kind it is bound to. Empty when the tenant has no such secret.
    /// </summary>
    public static (ReadOnlyMemory<byte> Secret, ConnectionSecretKind SecretKind) SelectSecret(TenantRecord record, TenantConnectionKind kind, TenantConnectionOptions options)
    {
        var application = options.ConnectionRole switch
        {
            TenantConnectionRole.Owner => false,
            TenantConnectionRole.Application => true,
            _ => !record.ApplicationPooledConnectionSecret.IsEmpty && !record.ApplicationDirectConnectionSecret.IsEmpty,
        };
        return (application, kind) switch
        {
            (true, TenantConnectionKind.Pooled) => (record.ApplicationPooledConnectionSecret, ConnectionSecretKind.ApplicationPooled),
            (true, _) => (record.ApplicationDirectConnectionSecret, ConnectionSecretKind.ApplicationDirect),
            (false, TenantConnectionKind.Pooled) => (record.PooledConnectionSecret, ConnectionSecretKind.Pooled),
            _ => (record.DirectConnectionSecret, ConnectionSecretKind.Direct),
        };
    }

    public static TimeSpan PruningInterval(TimeSpan idleLifetime) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Min(10, (int)idleLifetime.TotalSeconds)));

    /// <summary>
    /// A tenant's pool limits: its plan's <see cref="TenantPlanSettings.MaxPoolSize"/> (else
    /// <see cref="TenantConnectionOptions.MaxPoolSize"/>), and an idle lifetime that, with its pruning interval, stays
    /// shorter than the plan's suspend timeout (halved when the configured one would not), so idle connections close
    /// before the compute suspends and kills them.
    /// </summary>
    /// <param name="options">The factory's options.</param>
    /// <param name="plan">The settings of the tenant's plan (<see cref="PlanBook.GetRecordedSettings(TenantRecord)"/>: its own, else its plan's); <see langword="null"/> without plans.</param>
    public static TenantPoolLimits PoolLimits(TenantConnectionOptions options, TenantPlanSettings? plan)
    {
        var idle = options.ConnectionIdleLifetime;
        if (plan is null)
        {
            return new TenantPoolLimits(options.MaxPoolSize, idle);
        }

        if (plan.SuspendTimeout is { } suspend && suspend != Timeout.InfiniteTimeSpan && idle + PruningInterval(idle) >= suspend)
        {
            // Plans suspend after 60 s at the least: half of it plus a pruning interval of at most 10 s fits.
            idle = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(suspend.TotalSeconds / 2)));
        }

        return new TenantPoolLimits(plan.MaxPoolSize ?? options.MaxPoolSize, idle);
    }

    /// <summary>
    /// Builds a tenant's data source: the secret's connection settings, the SDK's pool settings, then the user's
    /// <see cref="TenantConnectionOptions.ConfigureDataSource"/>; logging through <paramref name="loggerFactory"/>.
    /// </summary>
    /// <returns>The data source.</returns>
    public static NpgsqlDataSource Build(TenantId tenantId, TenantConnectionKind kind, string secret, TenantConnectionOptions options, TenantPoolLimits? limits = null, ILoggerFactory? loggerFactory = null) =>
        Build(tenantId, kind, secret, options, limits, loggerFactory, out _);

    /// <summary>Builds a tenant's data source (see the overload), saying which pool size it got.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="kind">Pooled or direct.</param>
    /// <param name="secret">The decrypted connection secret.</param>
    /// <param name="options">The factory's options.</param>
    /// <param name="limits">The tenant's pool limits; the options' without.</param>
    /// <param name="loggerFactory">The host's logger factory, for Npgsql's logs; Npgsql's default (none) without.</param>
    /// <param name="maxPoolSize">The pool size the data source was built with (the user's callback may have changed it).</param>
    /// <returns>The data source.</returns>
    public static NpgsqlDataSource Build(TenantId tenantId, TenantConnectionKind kind, string secret, TenantConnectionOptions options, TenantPoolLimits? limits, ILoggerFactory? loggerFactory, out int maxPoolSize)
    {
        var (poolSize, idleLifetime) = limits ?? new TenantPoolLimits(options.MaxPoolSize, options.ConnectionIdleLifetime);
        var builder = new NpgsqlDataSourceBuilder();
        var csb = builder.ConnectionStringBuilder;
        try
        {
            if (secret.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || secret.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                ApplyUri(csb, secret);
            }
            else
            {
                csb.ConnectionString = secret;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The cause's message could quote the secret: do not chain it.
            throw new InvalidOperationException($"The {kind} connection secret of tenant '{tenantId}' is neither a valid Npgsql connection string nor a postgres:// URI.");
        }

        csb.Pooling = true;
        csb.MinPoolSize = 0;
        csb.MaxPoolSize = poolSize;
        csb.Timeout = Math.Max(1, (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds));
        csb.ConnectionIdleLifetime = Math.Max(1, (int)idleLifetime.TotalSeconds);
        csb.ConnectionPruningInterval = (int)PruningInterval(idleLifetime).TotalSeconds;
        if (kind == TenantConnectionKind.Pooled)
        {
            // PgBouncer in transaction mode: DISCARD ALL on return would be wrong (and useless).
            csb.NoResetOnClose = true;
        }

        builder.Name = kind == TenantConnectionKind.Pooled ? PooledName : DirectName;
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        // The user's last word (type plugins, JSON options, application_name...), on every data source the SDK builds.
        options.ConfigureDataSource?.Invoke(tenantId, builder);
        maxPoolSize = csb.MaxPoolSize;
        return builder.Build();
    }

    private static void ApplyUri(NpgsqlConnectionStringBuilder csb, string secret)
    {
        var uri = new Uri(secret, UriKind.Absolute);
        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException("No host.");
        }

        csb.Host = uri.Host;
        if (uri.Port > 0)
        {
            csb.Port = uri.Port;
        }

        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            csb.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                csb.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            }
        }

        var database = uri.AbsolutePath.TrimStart('/');
        if (database.Length > 0)
        {
            csb.Database = Uri.UnescapeDataString(database);
        }

        var query = uri.Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            switch (name)
            {
                case "sslmode":
                    csb.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new FormatException("Unknown sslmode."),
                    };
                    break;
                case "channel_binding":
                    csb.ChannelBinding = value switch
                    {
                        "disable" => ChannelBinding.Disable,
                        "prefer" => ChannelBinding.Prefer,
                        "require" => ChannelBinding.Require,
                        _ => throw new FormatException("Unknown channel_binding."),
                    };
                    break;
                case "options":
                    csb.Options = value;
                    break;
                case "application_name":
                    csb.ApplicationName = value;
                    break;
                case "connect_timeout":
                    csb.Timeout = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                default:
                    // Other libpq parameters have no Npgsql equivalent that matters here.
                    break;
            }
        }
    }
}

/// <summary>A tenant's pool limits (see <see cref="TenantDataSourceBuilder.PoolLimits"/>).</summary>
/// <param name="MaxPoolSize">The most physical connections to the tenant's database.</param>
/// <param name="IdleLifetime">How long an idle connection stays open.</param>
internal readonly record struct TenantPoolLimits(int MaxPoolSize, TimeSpan IdleLifetime);
