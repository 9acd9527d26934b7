using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Neon.Tenancy;

/// <summary>
/// What an open does after its first attempt failed: one resilience pipeline, a deadline around retries.
/// <list type="number">
/// <item><description>Deadline: <see cref="TenantConnectionOptions.FirstOpenDeadline"/> for a cold data source (never
/// opened, or unused for longer than the compute's suspend timeout), else <see cref="TenantConnectionOptions.OpenDeadline"/>,
/// counted from the call on a miss and from the first failure on a hit. Passing it gives <see cref="TenantUnavailableException"/>.</description></item>
/// <item><description>Retry: transient failures (<see cref="IsTransient"/>: a compute waking or restarting) with
/// exponential backoff and jitter, the pool's idle connections cleared before each retry; an authentication failure
/// once, at once, after reading the tenant's record again (credentials rotated by another instance).</description></item>
/// </list>
/// Delays and the deadline run on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TenantOpenRecovery
{
    private static readonly ResiliencePropertyKey<Attempt> AttemptKey = new("Neon.Tenancy.OpenRecovery");
    private static readonly ResiliencePropertyKey<TimeSpan> DeadlineKey = new("Neon.Tenancy.OpenRecovery.Deadline");

    private readonly TenantConnectionFactory _factory;
    private readonly TenantConnectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<NpgsqlConnection> _pipeline;

    public TenantOpenRecovery(TenantConnectionFactory factory, TenantConnectionOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _factory = factory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder<NpgsqlConnection> { TimeProvider = timeProvider }
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = static args => ValueTask.FromResult(args.Context.Properties.GetValue(DeadlineKey, TimeSpan.Zero)),
            })
            .AddRetry(new RetryStrategyOptions<NpgsqlConnection>
            {
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e
                    && !args.Context.CancellationToken.IsCancellationRequested
                    && (IsTransient(e) || (IsAuthenticationFailure(e) && !Of(args.Context).Reloaded))),
                MaxRetryAttempts = int.MaxValue, // the deadline ends it
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                DelayGenerator = static args => ValueTask.FromResult<TimeSpan?>(IsAuthenticationFailure(args.Outcome.Exception) ? TimeSpan.Zero : null),
                OnRetry = OnRetry,
            })
            .Build();
    }

    /// <summary>
    /// Retries an open whose first attempt on <paramref name="entry"/> failed with <paramref name="error"/>. The entry
    /// is acquired (when the factory counts opens); it is released here on every failure.
    /// </summary>
    /// <param name="entry">The entry the first attempt used.</param>
    /// <param name="error">The first attempt's failure (transient or authentication).</param>
    /// <param name="start">When the deadline started (<see cref="TimeProvider.GetTimestamp"/>), or <see cref="TenantConnectionFactory.NoTimestamp"/> for now.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async Task<NpgsqlConnection> RecoverAsync(TenantDataSourceEntry entry, Exception error, long start, CancellationToken cancellationToken)
    {
        if (start == TenantConnectionFactory.NoTimestamp)
        {
            start = _timeProvider.GetTimestamp();
        }

        // Cold: never opened, or (as far as the idle-expiry ticks can tell, erring towards cold) unused for longer than
        // the compute's suspend timeout.
        var cold = !entry.HasOpened
            || (!entry.UsedSinceTick && _timeProvider.GetElapsedTime(entry.LastUsed) + _factory.TrimPeriod > _options.SuspendTimeout);
        var attempt = new Attempt(this, entry, error);
        var remaining = (cold ? _options.FirstOpenDeadline : _options.OpenDeadline) - _timeProvider.GetElapsedTime(start);
        if (remaining <= TimeSpan.Zero)
        {
            throw Unavailable(attempt, start);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(AttemptKey, attempt);
        context.Properties.Set(DeadlineKey, remaining);
        Outcome<NpgsqlConnection> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(static (ctx, a) => a.RunAsync(ctx.CancellationToken), context, attempt).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        switch (outcome.Exception)
        {
            case null:
                return Finish(attempt, outcome.Result!, start, cold);
            case TimeoutRejectedException:
                throw Unavailable(attempt, start);
            case { } transient when IsTransient(transient) && !cancellationToken.IsCancellationRequested:
                throw Unavailable(attempt, start); // failed as the deadline passed
            case { } other:
                attempt.ReleaseEntry();
                ExceptionDispatchInfo.Throw(other);
                return null; // not reached
        }
    }

    private static Attempt Of(ResilienceContext context) => context.Properties.GetValue(AttemptKey, null!);

    private static ValueTask OnRetry(OnRetryArguments<NpgsqlConnection> args)
    {
        var attempt = Of(args.Context);
        var exception = args.Outcome.Exception!;
        if (IsAuthenticationFailure(exception))
        {
            // Credentials were probably rotated by another instance: the next attempt reads the record again, once.
            attempt.RequestReload();
            ConnectionLog.AuthenticationFailedReloading(attempt.Recovery._logger, attempt.Entry.Key.TenantId.Value, attempt.Entry.Key.Kind);
        }
        else
        {
            ConnectionLog.TransientOpenFailure(attempt.Recovery._logger, exception, attempt.Entry.Key.TenantId.Value, attempt.Entry.Key.Kind, attempt.Attempts, (exception as PostgresException)?.SqlState, args.RetryDelay);
            attempt.Entry.DataSource.Clear(); // the pool's idle connections to a restarting compute are dead too
        }

        return default;
    }

    private NpgsqlConnection Finish(Attempt attempt, NpgsqlConnection connection, long start, bool cold)
    {
        _factory.Opened(attempt.Entry, connection, start);
        var elapsed = _timeProvider.GetElapsedTime(start);
        if (cold && elapsed >= _options.SlowOpenThreshold)
        {
            ConnectionLog.SlowFirstOpen(_logger, attempt.Entry.Key.TenantId.Value, attempt.Entry.Key.Kind, (long)elapsed.TotalMilliseconds, attempt.Attempts);
        }

        return connection;
    }

    private TenantUnavailableException Unavailable(Attempt attempt, long start)
    {
        attempt.ReleaseEntry();
        var key = attempt.Entry.Key;
        var elapsed = _timeProvider.GetElapsedTime(start);
        ConnectionLog.OpenDeadlineExceeded(_logger, key.TenantId.Value, key.Kind, (long)elapsed.TotalMilliseconds, attempt.Attempts);
        return new TenantUnavailableException(key.TenantId, key.Kind, elapsed, attempt.Attempts, attempt.Last);
    }

    internal static bool IsAuthenticationFailure(Exception? exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification };

    /// <summary>
    /// Whether an open failure is worth retrying: a compute waking up or restarting (57P01/57P02/57P03, Neon's proxy
    /// "Couldn't connect to compute node"), a database refusing connections for a moment (55000), too many connections
    /// (53300), any connection exception class 08, or a network/timeout failure.
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ObjectNotInPrerequisiteState
            || pg.MessageText.Contains("connect to compute node", StringComparison.OrdinalIgnoreCase),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>One recovering open: the entry it uses now, its attempts and last failure.</summary>
    private sealed class Attempt(TenantOpenRecovery recovery, TenantDataSourceEntry entry, Exception first)
    {
        private Exception? _replay = first;
        private bool _held = true;
        private bool _reloadPending;

        public TenantOpenRecovery Recovery { get; } = recovery;

        public TenantDataSourceEntry Entry { get; private set; } = entry;

        /// <summary>Connection attempts made, the failed first one included.</summary>
        public int Attempts { get; private set; } = 1;

        public Exception Last { get; private set; } = first;

        /// <summary>The record is read again after an authentication failure (once).</summary>
        public bool Reloaded { get; private set; }

        public void RequestReload()
        {
            Reloaded = true;
            _reloadPending = true;
        }

        /// <summary>One pass of the pipeline's callback. Never throws: failures are outcomes.</summary>
        public async ValueTask<Outcome<NpgsqlConnection>> RunAsync(CancellationToken cancellationToken)
        {
            if (_replay is { } first)
            {
                // The failure that brought us here is attempt 1: the retry strategy sees it like any other, so the
                // first retry waits a backoff delay (or reloads the record) exactly as later ones do.
                _replay = null;
                return Outcome.FromException<NpgsqlConnection>(first);
            }

            try
            {
                if (_reloadPending)
                {
                    _reloadPending = false;
                    var key = Entry.Key;
                    Recovery._factory.Invalidate(Entry);
                    ReleaseEntry();
                    Entry = await Recovery._factory.AcquireEntryAsync(key, cancellationToken).ConfigureAwait(false);
                    _held = true;
                }

                while (true)
                {
                    Attempts++;
                    try
                    {
                        return Outcome.FromResult(await Entry.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false));
                    }
                    catch (ObjectDisposedException) when (!Recovery._factory.CountsOpens && Entry.IsDisposed)
                    {
                        // Budget off: the entry was evicted and disposed meanwhile; look the tenant up again.
                        Attempts--;
                        Entry = await Recovery._factory.AcquireEntryAsync(Entry.Key, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
#pragma warning disable CA1031 // Not swallowed: the outcome carries it to the retry strategy and then to the caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (ex is not OperationCanceledException)
                {
                    Last = ex;
                }

                return Outcome.FromException<NpgsqlConnection>(ex);
            }
        }

        /// <summary>Releases the entry the attempt holds (once; nothing when the factory counts no opens).</summary>
        public void ReleaseEntry()
        {
            if (_held)
            {
                _held = false;
                Recovery._factory.Release(Entry);
            }
        }
    }
}
