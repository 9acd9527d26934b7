using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// The API keys the options have held: the current one and the last few before it (an answer can echo the key its
/// request was sent with after the key was rotated through <see cref="IOptionsMonitor{TOptions}"/>). Error messages
/// remove every one of them, whatever their shape (<see cref="NeonMessageScrubber"/>).
/// </summary>
/// <remarks>The values live only in memory, for comparison; they are never logged or shown.</remarks>
internal sealed class NeonApiKeyHistory : IDisposable
{
    private const int Kept = 8;

    private readonly IOptionsMonitor<NeonApiOptions> _options;
    private readonly IDisposable? _subscription;
    private readonly Lock _lock = new();
    private string[] _keys = [];

    public NeonApiKeyHistory(IOptionsMonitor<NeonApiOptions> options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Remember(options.CurrentValue.ApiKey);

        // Every named instance too: whatever NeonApiOptions can hold.
        _subscription = options.OnChange((changed, _) => Remember(changed.ApiKey));
    }

    /// <summary>The keys to remove from a message: the current one (read now) and the ones seen before.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        Remember(_options.CurrentValue.ApiKey);
        return Volatile.Read(ref _keys);
    }

    public void Dispose() => _subscription?.Dispose();

    private void Remember(string? key)
    {
        if (string.IsNullOrEmpty(key) || Array.IndexOf(Volatile.Read(ref _keys), key) >= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (Array.IndexOf(_keys, key) >= 0)
            {
                return;
            }

            // Longest first, so that a key containing another is removed whole.
            var keys = new List<string>(_keys.Length + 1) { key };
            keys.AddRange(_keys.Take(Kept - 1));
            Volatile.Write(ref _keys, [.. keys.OrderByDescending(k => k.Length)]);
        }
    }
}
