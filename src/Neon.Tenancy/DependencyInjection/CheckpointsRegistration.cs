using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neon.Tenancy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> registers for checkpoints.</summary>
internal static class CheckpointsRegistration
{
    /// <summary>
    /// Registers <see cref="ITenantCheckpoints"/> (singleton) and the <see cref="CheckpointScheduler"/> hosted service
    /// (idle unless a plan has a checkpoint interval) with <see cref="TenantCheckpointOptions"/> bound from
    /// <c>NeonTenancy:Checkpoints</c> and validated at start. Called once by <c>AddNeonTenancy</c>.
    /// </summary>
    public static IServiceCollection Add(IServiceCollection services, IConfiguration? configuration)
    {
        services.AddNeonTenancyOptions<TenantCheckpointOptions>(configuration, NeonTenancySections.Checkpoints, static (section, o) => section.Bind(o));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenantCheckpointOptions>, TenantCheckpointOptionsValidator>());
        services.TryAddSingleton<ITenantCheckpoints, TenantCheckpoints>();
        services.TryAddSingleton<NeonBackupSchedules>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, CheckpointScheduler>());
        return services;
    }
}
