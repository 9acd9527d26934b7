using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Neon.Tenancy;

/// <summary>
/// An <see cref="ITenantCatalog"/> in process memory, with the same semantics as <see cref="PostgresTenantCatalog"/>
/// (reservation, optimistic concurrency, paging, change feed). For tests and local development: nothing survives the process.
/// </summary>
public sealed class InMemoryTenantCatalog : ITenantCatalog
{
    private readonly Store _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TenantChangeDispatcher _changes;
    private readonly Dictionary<Type, object> _companions = [];

    /// <summary>Creates an empty catalog.</summary>
    /// <param name="timeProvider">The clock for created/updated times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public InMemoryTenantCatalog(TimeProvider? timeProvider = null, ILogger<InMemoryTenantCatalog>? logger = null)
        : this(new Store(), timeProvider, logger)
    {
    }

    private InMemoryTenantCatalog(Store store, TimeProvider? timeProvider, ILogger? logger)
    {
        _store = store;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _changes = new TenantChangeDispatcher(_logger);
        lock (store.Gate)
        {
            store.Instances.Add(this);
        }
    }

    /// <summary>A second catalog instance over the same data, as a second application instance sees a shared database.</summary>
    internal InMemoryTenantCatalog CreateInstanceSharingData(TimeProvider? timeProvider = null) => new(_store, timeProvider ?? _timeProvider, _logger);

    /// <summary>The catalog's clock.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <inheritdoc/>
    public Task<TenantReservationResult> ReserveAsync(TenantReservation reservation, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(reservation);
        cancellationToken.ThrowIfCancellationRequested();
        TenantRecord record;
        lock (_store.Gate)
        {
            if (_store.Tenants.TryGetValue(reservation.TenantId, out var existing))
            {
                return Task.FromResult(new TenantReservationResult(existing, Created: false));
            }

            var now = CatalogRules.Now(_timeProvider);
            record = new TenantRecord
            {
                TenantId = reservation.TenantId,
                State = TenantState.Provisioning,
                Plan = reservation.Plan,
                ProjectName = reservation.ProjectName,
                Region = reservation.Region,
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            _store.Tenants.Add(record.TenantId, record);
        }

        CatalogLog.Reserved(_logger, record.TenantId.Value);
        Broadcast(CatalogRules.Reserved(record));
        return Task.FromResult(new TenantReservationResult(record, Created: true));
    }

    /// <inheritdoc/>
    public Task<TenantRecord?> GetAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_store.Gate)
        {
            return Task.FromResult(_store.Tenants.GetValueOrDefault(tenantId));
        }
    }

    /// <inheritdoc/>
    public Task<TenantPage> ListAsync(TenantQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.After();
        cancellationToken.ThrowIfCancellationRequested();
        var items = new List<TenantRecord>(Math.Min(query.PageSize + 1, 128));
        lock (_store.Gate)
        {
            foreach (var (id, record) in _store.Tenants)
            {
                if (after is { } a && id <= a)
                {
                    continue;
                }

                if ((query.State is { } s && record.State != s)
                    || (query.Plan is { } p && !string.Equals(record.Plan, p, StringComparison.Ordinal)))
                {
                    continue;
                }

                items.Add(record);
                if (items.Count > query.PageSize)
                {
                    break;
                }
            }
        }

        string? token = null;
        if (items.Count > query.PageSize)
        {
            items.RemoveAt(items.Count - 1);
            token = items[^1].TenantId.Value;
        }

        return Task.FromResult(new TenantPage(items, token));
    }

    /// <inheritdoc/>
    public Task<TenantRecord> UpdateAsync(TenantRecord record, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(record);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Update(() => record)!);
    }

    /// <summary>
    /// An update by <see cref="UpdateAsync"/>'s rules (optimistic version, times, change feed) of the record
    /// <paramref name="propose"/> returns, in one step with the caller's own state kept beside the catalog: under the
    /// catalog's lock, <paramref name="propose"/> picks the record (<see langword="null"/>: no update), the record is
    /// stored, then <paramref name="stored"/> sees it; the change is published after the lock is released. Whatever
    /// throws before the record is stored leaves the catalog unchanged.
    /// </summary>
    /// <returns>The stored record; <see langword="null"/> when <paramref name="propose"/> returned none.</returns>
    /// <exception cref="TenantNotFoundException">The record's tenant is not in the catalog.</exception>
    /// <exception cref="TenantConcurrencyException">The stored version differs from the record's.</exception>
    internal TenantRecord? Update(Func<TenantRecord?> propose, Action<TenantRecord>? stored = null)
    {
        TenantRecord before;
        TenantRecord after;
        lock (_store.Gate)
        {
            if (propose() is not { } record)
            {
                return null;
            }

            CatalogRules.Validate(record);
            if (!_store.Tenants.TryGetValue(record.TenantId, out var current))
            {
                throw new TenantNotFoundException(record.TenantId);
            }

            if (current.Version != record.Version)
            {
                CatalogLog.UpdateConflict(_logger, record.TenantId.Value, record.Version, current.Version);
                throw new TenantConcurrencyException(record.TenantId, record.Version, current.Version);
            }

            before = current;
            after = record with
            {
                CreatedAt = current.CreatedAt,
                UpdatedAt = CatalogRules.Now(_timeProvider),
                Version = current.Version + 1,
                PooledConnectionSecret = record.PooledConnectionSecret.ToArray(),
                DirectConnectionSecret = record.DirectConnectionSecret.ToArray(),
                ApplicationPooledConnectionSecret = record.ApplicationPooledConnectionSecret.ToArray(),
                ApplicationDirectConnectionSecret = record.ApplicationDirectConnectionSecret.ToArray(),
                RecoverableUntil = record.RecoverableUntil is { } until ? CatalogRules.Truncate(until) : null,
                PendingRestore = record.PendingRestore is { } restore
                    ? restore with
                    {
                        StartedAt = CatalogRules.Truncate(restore.StartedAt),
                        PooledConnectionSecret = restore.PooledConnectionSecret.ToArray(),
                        DirectConnectionSecret = restore.DirectConnectionSecret.ToArray(),
                    }
                    : null,
            };
            _store.Tenants[record.TenantId] = after;
            stored?.Invoke(after);
        }

        Broadcast(CatalogRules.Updated(before, after));
        return after;
    }

    /// <summary>
    /// Runs <paramref name="action"/> under the catalog's lock, so that state kept beside the catalog changes atomically
    /// with <see cref="Update"/>'s callbacks. <paramref name="action"/> must not call the catalog's own methods.
    /// </summary>
    internal T Locked<T>(Func<T> action)
    {
        lock (_store.Gate)
        {
            return action();
        }
    }

    /// <summary>
    /// The companion of type <typeparamref name="T"/> of this catalog instance (state kept beside it, such as the warm
    /// pool's entries), created by <paramref name="create"/> on first use: one per catalog instance.
    /// </summary>
    internal T Companion<T>(Func<T> create)
        where T : class
    {
        lock (_store.Gate)
        {
            if (!_companions.TryGetValue(typeof(T), out var companion))
            {
                companion = create();
                _companions.Add(typeof(T), companion);
            }

            return (T)companion;
        }
    }

    /// <inheritdoc/>
    public Task<bool> RemoveAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        cancellationToken.ThrowIfCancellationRequested();
        TenantRecord? removed;
        lock (_store.Gate)
        {
            _store.Tenants.Remove(tenantId, out removed);
            _store.Checkpoints.Remove(tenantId);
        }

        if (removed is null)
        {
            return Task.FromResult(false);
        }

        CatalogLog.Removed(_logger, tenantId.Value);
        Broadcast(CatalogRules.Removed(removed));
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<TenantCheckpoint> AddCheckpointAsync(TenantCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        CatalogRules.Validate(checkpoint);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_store.Gate)
        {
            if (!_store.Tenants.ContainsKey(checkpoint.TenantId))
            {
                throw new TenantNotFoundException(checkpoint.TenantId);
            }

            var list = CollectionsMarshal.GetValueRefOrAddDefault(_store.Checkpoints, checkpoint.TenantId, out _) ??= [];
            if (list.Find(c => string.Equals(c.Id, checkpoint.Id, StringComparison.Ordinal)) is { } existing)
            {
                return Task.FromResult(existing);
            }

            var stored = checkpoint with
            {
                CreatedAt = CatalogRules.Truncate(checkpoint.CreatedAt),
                Metadata = new Dictionary<string, string>(checkpoint.Metadata, StringComparer.Ordinal).AsReadOnly(),
            };
            list.Add(stored);
            list.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<TenantCheckpoint>> GetCheckpointsAsync(TenantId tenantId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_store.Gate)
        {
            return Task.FromResult<IReadOnlyList<TenantCheckpoint>>(_store.Checkpoints.TryGetValue(tenantId, out var list) ? [.. list] : []);
        }
    }

    /// <inheritdoc/>
    public Task<bool> RemoveCheckpointAsync(TenantId tenantId, string checkpointId, CancellationToken cancellationToken = default)
    {
        CatalogRules.RequireTenant(tenantId, nameof(tenantId));
        CatalogRules.RequireCheckpointId(checkpointId, nameof(checkpointId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_store.Gate)
        {
            return Task.FromResult(_store.Checkpoints.TryGetValue(tenantId, out var list)
                && list.RemoveAll(c => string.Equals(c.Id, checkpointId, StringComparison.Ordinal)) > 0);
        }
    }

    /// <inheritdoc/>
    public IDisposable SubscribeToChanges(Action<TenantChange> handler) => _changes.Subscribe(handler);

    private void Broadcast(TenantChange change)
    {
        InMemoryTenantCatalog[] instances;
        lock (_store.Gate)
        {
            instances = [.. _store.Instances];
        }

        foreach (var instance in instances)
        {
            instance._changes.Publish(change);
        }
    }

    private sealed class Store
    {
        public object Gate { get; } = new();

        public SortedDictionary<TenantId, TenantRecord> Tenants { get; } = [];

        /// <summary>Each tenant's checkpoints, oldest first.</summary>
        public Dictionary<TenantId, List<TenantCheckpoint>> Checkpoints { get; } = [];

        public List<InMemoryTenantCatalog> Instances { get; } = [];
    }
}
