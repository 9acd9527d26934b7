using System.Threading.Channels;

namespace Neon.Tenancy.Testing;

/// <summary>Subscribes to a catalog's change feed and waits, bounded, for matching changes.</summary>
internal sealed class TenantChangeProbe : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<TenantChange> _changes = Channel.CreateUnbounded<TenantChange>();
    private readonly IDisposable _subscription;

    public TenantChangeProbe(ITenantCatalog catalog) =>
        _subscription = catalog.SubscribeToChanges(change => _changes.Writer.TryWrite(change));

    public async Task<TenantChange> WaitForAsync(Func<TenantChange, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var change = await _changes.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                if (predicate(change))
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching tenant change arrived within {timeout ?? DefaultTimeout}.");
        }
    }

    public List<TenantChange> Drain()
    {
        var list = new List<TenantChange>();
        while (_changes.Reader.TryRead(out var change))
        {
            list.Add(change);
        }

        return list;
    }

    public void Dispose() => _subscription.Dispose();
}
