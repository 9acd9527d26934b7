using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// History answers kept for <see cref="TenantUsageOptions.HistoryCacheDuration"/>, and the reads under way: an identical read
/// that arrives while one is under way shares its calls and its answer (single flight, also with the cache off).
/// </summary>
internal sealed class UsageHistoryCache
{
    private readonly ConcurrentDictionary<string, CachedHistory> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<UsageHistory>> _reads = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public UsageHistoryCache(IOptions<TenantUsageOptions> options, TimeProvider time, ILogger<UsageHistoryCache> logger)
    {
        _duration = options.Value.HistoryCacheDuration;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The cached answer for <paramref name="key"/>; else the answer of the read under way for it; else the answer of
    /// <paramref name="read"/>, which this caller runs for everyone who asks meanwhile. Joining happens before this method
    /// returns.
    /// </summary>
    /// <param name="key">The request's key (<see cref="UsageHistoryQuery.CacheKey"/>).</param>
    /// <param name="read">Reads the answer from Neon.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (and the read, if this caller runs it).</param>
    /// <returns>The answer.</returns>
    public Task<UsageHistory> GetOrReadAsync(string key, Func<CancellationToken, Task<UsageHistory>> read, CancellationToken cancellationToken)
    {
        if (_answers.TryGetValue(key, out var cached) && cached.ExpiresAt > _time.GetUtcNow())
        {
            UsageLog.HistoryCacheHit(_logger, cached.History.Tenants.Count, cached.History.Granularity, cached.ExpiresAt);
            return Task.FromResult(cached.History);
        }

        var mine = new TaskCompletionSource<UsageHistory>(TaskCreationOptions.RunContinuationsAsynchronously);
        var underWay = _reads.GetOrAdd(key, mine.Task);
        return underWay == mine.Task
            ? ReadForEveryoneAsync(key, mine, read, cancellationToken)
            : JoinAsync(key, underWay, read, cancellationToken);
    }

    private async Task<UsageHistory> JoinAsync(string key, Task<UsageHistory> underWay, Func<CancellationToken, Task<UsageHistory>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await underWay.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller that was reading gave up, this one did not: read again (or join the next read).
            return await GetOrReadAsync(key, read, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UsageHistory> ReadForEveryoneAsync(
        string key, TaskCompletionSource<UsageHistory> mine, Func<CancellationToken, Task<UsageHistory>> read, CancellationToken cancellationToken)
    {
        try
        {
            var history = await read(cancellationToken).ConfigureAwait(false);
            Remember(key, history);
            mine.SetResult(history);
            return history;
        }
        catch (OperationCanceledException)
        {
            mine.SetCanceled(CancellationToken.None); // those who joined read again, unless they gave up too
            throw;
        }
        catch (Exception ex)
        {
            mine.SetException(ex);
            _ = mine.Task.Exception; // observed here; those who joined rethrow it themselves
            throw;
        }
        finally
        {
            _reads.TryRemove(new KeyValuePair<string, Task<UsageHistory>>(key, mine.Task));
        }
    }

    private void Remember(string key, UsageHistory history)
    {
        if (_duration <= TimeSpan.Zero)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var (k, v) in _answers)
        {
            if (v.ExpiresAt <= now)
            {
                _answers.TryRemove(k, out _);
            }
        }

        _answers[key] = new CachedHistory(now + _duration, history);
    }

    private sealed record CachedHistory(DateTimeOffset ExpiresAt, UsageHistory History);
}
