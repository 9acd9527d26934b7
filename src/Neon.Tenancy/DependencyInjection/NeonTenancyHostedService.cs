using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Neon.Tenancy;

/// <summary>
/// Runs with the host: checks that a catalog is registered, creates/upgrades the PostgreSQL catalog's schema before
/// the application serves anything, and starts and stops its change-feed listener.
/// </summary>
internal sealed class NeonTenancyHostedService(IServiceProvider services) : IHostedService
{
    // Resolved at start and kept: a host may dispose its container before it stops its services (WebApplicationFactory
    // did, in the samples' tests), and stopping must not resolve anything then.
    private PostgresTenantCatalog? _postgres;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<ITenantCatalog>()
            ?? throw new InvalidOperationException("Neon.Tenancy has no tenant catalog: call UsePostgresCatalog() or UseInMemoryCatalog() on the builder AddNeonTenancy() returns.");

        if (services.GetService<PostgresTenantCatalog>() is { } postgres)
        {
            _postgres = postgres;
            await postgres.InitializeAsync(cancellationToken).ConfigureAwait(false);
            postgres.StartListening();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_postgres is { } postgres)
        {
            await postgres.StopListeningAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
