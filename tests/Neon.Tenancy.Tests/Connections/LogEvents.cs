using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Neon.Tenancy.Tests.Connections;

/// <summary>
/// A logger provider that records every event and lets a test await the n-th event of an id: the signal "the factory
/// got this far" (a caller waiting for the budget) without a delay. Not the signal to move a fake clock for a wait the
/// event announces (a retry's delay is armed after its log): <see cref="Shared.ObservedTimeProvider"/> tells that.
/// </summary>
internal sealed class LogEvents : ILoggerProvider
{
    /// <summary>Connection event ids the tests wait for (ConnectionLog).</summary>
    public const int TransientOpenFailure = 3004;
    public const int AuthenticationFailedReloading = 3007;
    public const int WaitingForBudget = 3008;

    private readonly Lock _gate = new();
    private readonly List<(int EventId, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly ConcurrentDictionary<int, int> _counts = new();

    public LogEvents()
    {
        Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(this));
    }

    /// <summary>A logger factory that logs here, at every level.</summary>
    public ILoggerFactory Factory { get; }

    /// <summary>Every event's category, in order.</summary>
    public ConcurrentQueue<(string Category, int EventId, LogLevel Level)> Events { get; } = new();

    public int Count(int eventId) => _counts.TryGetValue(eventId, out var n) ? n : 0;

    /// <summary>Completes once <paramref name="count"/> events of <paramref name="eventId"/> were logged in all.</summary>
    public Task WaitForAsync(int eventId, int count = 1)
    {
        lock (_gate)
        {
            if (Count(eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventId, count, done));
            return done.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Record(string category, EventId eventId, LogLevel level)
    {
        Events.Enqueue((category, eventId.Id, level));
        lock (_gate)
        {
            var count = _counts.AddOrUpdate(eventId.Id, 1, static (_, n) => n + 1);
            foreach (var waiter in _waiters.Where(w => w.EventId == eventId.Id && count >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    private sealed class Logger(LogEvents owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Record(category, eventId, logLevel);
    }
}
