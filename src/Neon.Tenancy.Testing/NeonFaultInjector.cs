using System.Text.RegularExpressions;

namespace Neon.Tenancy.Testing;

/// <summary>
/// Faults waiting to hit requests. A fault matches by route: null for every request, a route template such as
/// <c>POST projects</c> or <c>GET projects/{project_id}/operations/{operation_id}</c>, or a pattern with <c>*</c>
/// wildcards over the method and the concrete path, such as <c>* projects/cold-poetry-12345678*</c>. The first
/// matching fault with hits left is used; faults are checked before the rate budget and the request itself.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class NeonFaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    internal NeonFaultInjector()
    {
    }

    /// <summary>Faults still armed (with hits left).</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count(e => e.Remaining > 0);
            }
        }
    }

    /// <summary>Arms a fault for the next <paramref name="times"/> matching requests.</summary>
    /// <param name="route">Null for any request, a route template, or a <c>*</c> pattern over <c>METHOD path</c>.</param>
    /// <param name="fault">The fault.</param>
    /// <param name="times">How many matching requests it hits; <see cref="int.MaxValue"/> for all of them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fault"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="times"/> is less than 1.</exception>
    public void Inject(string? route, NeonFault fault, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        var pattern = route is null ? null : new Regex("^" + Regex.Escape(route.Trim()).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        lock (_lock)
        {
            _entries.Add(new Entry(route, pattern, fault) { Remaining = times });
        }
    }

    /// <summary>Disarms every fault.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    internal NeonFault? Take(string method, string path, string? routeTemplate)
    {
        var concrete = method + " " + path;
        var template = routeTemplate is null ? null : method + " " + routeTemplate;
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                if (entry.Remaining <= 0)
                {
                    continue;
                }

                var matches = entry.Pattern is null
                    || entry.Pattern.IsMatch(concrete)
                    || (template is not null && (string.Equals(entry.Route, template, StringComparison.OrdinalIgnoreCase) || entry.Pattern.IsMatch(template)));
                if (matches)
                {
                    if (entry.Remaining != int.MaxValue)
                    {
                        entry.Remaining--;
                    }

                    return entry.Fault;
                }
            }
        }

        return null;
    }

    private sealed class Entry(string? route, Regex? pattern, NeonFault fault)
    {
        public string? Route { get; } = route;

        public Regex? Pattern { get; } = pattern;

        public NeonFault Fault { get; } = fault;

        public int Remaining { get; set; }
    }
}
