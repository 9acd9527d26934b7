using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Fans a change out to the subscribers of one catalog instance; a throwing handler never stops the others.</summary>
internal sealed class TenantChangeDispatcher(ILogger logger)
{
    private ImmutableArray<Action<TenantChange>> _handlers = [];

    public bool HasSubscribers => !_handlers.IsEmpty;

    public IDisposable Subscribe(Action<TenantChange> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), handler);
        return new Subscription(this, handler);
    }

    public void Publish(TenantChange change)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(change);
            }
#pragma warning disable CA1031 // A subscriber's bug must not break the feed for the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                CatalogLog.ChangeHandlerFailed(logger, ex, change.Kind, change.TenantId?.ToString());
            }
        }
    }

    private sealed class Subscription(TenantChangeDispatcher owner, Action<TenantChange> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                ImmutableInterlocked.Update(ref owner._handlers, static (list, h) => list.Remove(h), handler);
            }
        }
    }
}
