using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for the fleet engine and schema migrations; <c>AddTenantMigrator</c> and <c>ConfigureMigrations</c> (in <see cref="NeonTenancyBuilderExtensions"/>) add the migrator and options.</summary>
internal static class MigrationsRegistration
{
    /// <summary>
    /// Registers <see cref="ITenantFleet"/> (over the catalog's ledger: <c>UsePostgresCatalog()</c> replaces the in-memory
    /// one), <see cref="ITenantMigrations"/> and the connection factory's first-connection gate (idle until a migrator is
    /// registered), with <see cref="TenantMigrationOptions"/> bound from <c>NeonTenancy:Migrations</c> and validated at
    /// start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantMigrationOptions>(configuration, NeonTenancySections.Migrations, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantMigrationOptions>, TenantMigrationOptionsValidator>());
        services.TryAddSingleton<ITenantFleet, TenantFleet>();
        services.TryAddSingleton<TenantMigrations>();
        services.TryAddSingleton<ITenantMigrations>(static sp => sp.GetRequiredService<TenantMigrations>());
        services.TryAddSingleton<ITenantConnectionGate, DeferredMigrationGate>();
        return services;
    }
}
