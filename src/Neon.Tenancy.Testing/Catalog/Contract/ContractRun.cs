using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>One run of one contract case: its fake clock, the catalogs it created (disposed at the end), and helpers.</summary>
internal sealed class ContractRun(ITenantCatalogContractTarget target, CancellationToken cancellationToken) : IAsyncDisposable
{
    /// <summary>How long a case waits for concurrent calls or a change before it fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<ITenantCatalog> _catalogs = [];

    /// <summary>The clock catalogs are created with; starts with sub-microsecond ticks to prove truncation.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567));

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>A new catalog instance over this run's storage.</summary>
    public async Task<ITenantCatalog> CreateCatalogAsync()
    {
        var catalog = await target.CreateCatalogAsync(Time).ConfigureAwait(false)
            ?? throw new ContractCheckException("ITenantCatalogContractTarget.CreateCatalogAsync returned null.");
        _catalogs.Add(catalog);
        return catalog;
    }

    /// <summary>Completes when the catalog's change feed delivers changes made from now on (bounded).</summary>
    public Task WhenChangeFeedReadyAsync(ITenantCatalog catalog) =>
        target.WhenChangeFeedReadyAsync(catalog).AsTask().WaitAsync(Timeout, cancellationToken);

    /// <summary>Waits, bounded, for concurrent work the case started.</summary>
    public Task<T> Bounded<T>(Task<T> task) => task.WaitAsync(Timeout, cancellationToken);

    /// <summary>The current fake time truncated to microseconds (what PostgreSQL stores).</summary>
    public DateTimeOffset NowMicroseconds()
    {
        var now = Time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
    }

    public static TenantReservation Reservation(string id, string plan = "free", string? region = "aws-eu-central-1") => new()
    {
        TenantId = TenantId.Parse(id),
        Plan = plan,
        Region = region,
        ProjectName = "tenant-" + id,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var catalog in _catalogs.Distinct())
        {
            switch (catalog)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
