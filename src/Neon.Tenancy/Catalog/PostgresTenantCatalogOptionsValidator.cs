using Microsoft.Extensions.Options;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>Attribute rules of <see cref="PostgresTenantCatalogOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class PostgresTenantCatalogOptionsAttributeValidator : IValidateOptions<PostgresTenantCatalogOptions>;

/// <summary>Rules of <see cref="PostgresTenantCatalogOptions"/> that attributes cannot express. Never prints a connection string.</summary>
internal sealed class PostgresTenantCatalogOptionsValidator : IValidateOptions<PostgresTenantCatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresTenantCatalogOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString) && !IsParsable(options.ConnectionString))
        {
            failures.Add("NeonTenancy:Catalog:ConnectionString is not a valid Npgsql connection string.");
        }

        if (options.ListenerConnectionString is { } listen)
        {
            if (!IsParsable(listen))
            {
                failures.Add("NeonTenancy:Catalog:ListenerConnectionString is not a valid Npgsql connection string.");
            }
            else if (IsPoolerHost(listen))
            {
                failures.Add("NeonTenancy:Catalog:ListenerConnectionString points at a Neon pooler host (one containing '-pooler.'): LISTEN needs a session, so use the direct endpoint (the same host without '-pooler'), or leave the setting unset to derive it from NeonTenancy:Catalog:ConnectionString.");
            }
        }

        if (!PostgresCatalogSql.IsValidSchemaName(options.Schema))
        {
            failures.Add("NeonTenancy:Catalog:Schema must be 1 to 48 characters of a-z, 0-9 and '_', starting with a letter or '_'.");
        }

        if (options.ListenerReconnectDelay <= TimeSpan.Zero || options.ListenerReconnectDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add("NeonTenancy:Catalog:ListenerReconnectDelay must be greater than zero and at most 10 minutes.");
        }

        if (options.ListenerMaxReconnectDelay < options.ListenerReconnectDelay || options.ListenerMaxReconnectDelay > TimeSpan.FromHours(1))
        {
            failures.Add("NeonTenancy:Catalog:ListenerMaxReconnectDelay must be at least ListenerReconnectDelay and at most 1 hour.");
        }

        if (options.ListenerKeepAliveInterval < TimeSpan.FromSeconds(1) || options.ListenerKeepAliveInterval > TimeSpan.FromHours(1))
        {
            failures.Add("NeonTenancy:Catalog:ListenerKeepAliveInterval must be between 1 second and 1 hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether any host of the connection string is a Neon PgBouncer endpoint (<c>ep-x-pooler.region...</c>).</summary>
    private static bool IsPoolerHost(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Host is { } hosts
        && hosts.Contains("-pooler.", StringComparison.OrdinalIgnoreCase);

    private static bool IsParsable(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
