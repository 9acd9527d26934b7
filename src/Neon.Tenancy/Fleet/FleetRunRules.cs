using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Neon.Tenancy;

/// <summary>The fleet engine's rules: options checked once, the plan of a new run (selection, decisions, waves), and what a failure records.</summary>
internal static class FleetRunRules
{
    public const int MaxErrorLength = 1000;

    public static void Validate(ITenantFleetWork work, FleetRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(work.Name) || work.Name.Length > 128)
        {
            throw new ArgumentException("The work's Name must be 1 to 128 characters.", nameof(work));
        }

        ValidateRunId(options.RunId, nameof(options));
        Range(options.CanaryCount, 0, 100_000, nameof(FleetRunOptions.CanaryCount));
        Range(options.WaveSize, 0, 1_000_000, nameof(FleetRunOptions.WaveSize));
        Range(options.MaxParallelism, 1, 256, nameof(FleetRunOptions.MaxParallelism));
        Range(options.MaxAttempts, 1, 100, nameof(FleetRunOptions.MaxAttempts));
        if (options.MaxParked is { } parked)
        {
            Range(parked, 1, 1_000_000, nameof(FleetRunOptions.MaxParked));
        }

        if (!(options.CanaryShare is >= 0 and <= 1))
        {
            throw new ArgumentException("FleetRunOptions.CanaryShare must be between 0 and 1.", nameof(options));
        }

        Range(options.TenantTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), nameof(FleetRunOptions.TenantTimeout));
        Range(options.RetryBackoff, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(FleetRunOptions.RetryBackoff));
        Range(options.LeaseDuration, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), nameof(FleetRunOptions.LeaseDuration));
    }

    /// <summary>1 to 128 characters of a-z, A-Z, 0-9, '-', '_', '.', ':'.</summary>
    public static void ValidateRunId(string? runId, string paramName)
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > FleetRunOptions.MaxRunIdLength || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            throw new ArgumentException(
                $"A fleet run id must be 1 to {FleetRunOptions.MaxRunIdLength} characters of a-z, A-Z, 0-9, '-', '_', '.' and ':'.", paramName);
        }
    }

    /// <summary>
    /// Plans a new run from the catalog, streamed once: every selected tenant gets an entry (ready ones as the work
    /// decides, the others skipped with their state), and the ones to run are spread over waves in an order drawn from
    /// the run id (a canary is a sample of the fleet, not its first tenants by name, and every instance draws the same).
    /// </summary>
    public static async Task<(List<FleetLedgerEntry> Entries, int Waves)> PlanAsync(
        ITenantCatalog catalog, ITenantFleetWork work, FleetRunOptions options, CancellationToken cancellationToken)
    {
        var filter = options.Tenants;
        var query = new TenantQuery
        {
            State = filter?.States is { Count: 1 } states ? states.First() : null,
            Plan = filter?.Plans is { Count: 1 } plans ? plans.First() : null,
        };
        var entries = new List<FleetLedgerEntry>();
        var runnable = new List<(ulong Order, FleetLedgerEntry Entry)>();
        await foreach (var tenant in catalog.ListAllAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (!Selects(filter, tenant))
            {
                continue;
            }

            if (tenant.State != TenantState.Ready)
            {
                entries.Add(new FleetLedgerEntry(tenant.TenantId, 0, FleetTenantState.Skipped, Description: "not ready: " + tenant.State.ToString().ToLowerInvariant()));
                continue;
            }

            var decision = work.Plan(tenant);
            switch (decision.Action)
            {
                case FleetTenantAction.Run:
                    runnable.Add((Order(options.RunId, tenant.TenantId), new FleetLedgerEntry(tenant.TenantId, 0, FleetTenantState.Pending, Description: decision.Description)));
                    break;
                case FleetTenantAction.Defer:
                    entries.Add(new FleetLedgerEntry(tenant.TenantId, 0, FleetTenantState.Deferred, Description: decision.Description));
                    break;
                default:
                    entries.Add(new FleetLedgerEntry(tenant.TenantId, 0, FleetTenantState.Skipped, Description: decision.Description));
                    break;
            }
        }

        runnable.Sort(static (a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : string.CompareOrdinal(a.Entry.TenantId.Value, b.Entry.TenantId.Value));
        var canary = Math.Min(runnable.Count, Math.Max(options.CanaryCount, (int)Math.Ceiling(options.CanaryShare * runnable.Count)));
        var rest = runnable.Count - canary;
        var waveSize = options.WaveSize > 0 ? options.WaveSize : Math.Max(rest, 1);
        var waves = (canary > 0 ? 1 : 0) + (rest + waveSize - 1) / waveSize;
        for (var i = 0; i < runnable.Count; i++)
        {
            var wave = i < canary ? 0 : (canary > 0 ? 1 : 0) + (i - canary) / waveSize;
            entries.Add(runnable[i].Entry with { Wave = wave });
        }

        entries.Sort(static (a, b) => a.Wave != b.Wave ? a.Wave.CompareTo(b.Wave) : string.CompareOrdinal(a.TenantId.Value, b.TenantId.Value));
        return (entries, waves);
    }

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: the backoff doubled per earlier retry, at most 10 minutes.</summary>
    public static TimeSpan Backoff(TimeSpan backoff, int attempts) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(10).Ticks, backoff.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    /// <summary>
    /// What the ledger records of a failure, outermost first and joined by <c> &lt;- </c>, so the last part is the root
    /// cause: the SDK's own messages (secret-free by contract), PostgreSQL's SQLSTATE and server message (what a failed
    /// migration script says; kept even when a message above quotes it, as the stable tail operators read), else the
    /// exception type only: a foreign message may quote a connection string.
    /// </summary>
    public static string DescribeError(Exception exception)
    {
        var text = new StringBuilder();
        for (var e = exception; e is not null && text.Length < MaxErrorLength; e = e.InnerException)
        {
            if (text.Length > 0)
            {
                text.Append(" <- ");
            }

            text.Append(e switch
            {
                PostgresException postgres => "PostgreSQL " + postgres.SqlState + ": " + postgres.MessageText,
                NeonTenancyException or TimeoutException or OperationCanceledException => e.GetType().Name + ": " + e.Message,
                _ => e.GetType().Name,
            });
        }

        return text.Length <= MaxErrorLength ? text.ToString() : text.ToString(0, MaxErrorLength);
    }

    private static bool Selects(FleetTenantFilter? filter, TenantRecord tenant) =>
        filter is null
        || ((filter.States is null || filter.States.Contains(tenant.State))
            && (filter.Plans is null || filter.Plans.Contains(tenant.Plan, StringComparer.Ordinal))
            && (filter.Regions is null || (tenant.Region is { } region && filter.Regions.Contains(region, StringComparer.Ordinal)))
            && (filter.Predicate is null || filter.Predicate(tenant)));

    private static ulong Order(string runId, TenantId tenantId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(runId + "/" + tenantId.Value), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    private static void Range(int value, int minimum, int maximum, string name)
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FleetRunOptions.{name} must be between {minimum} and {maximum}."), "options");
        }
    }

    private static void Range(TimeSpan value, TimeSpan minimum, TimeSpan maximum, string name)
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FleetRunOptions.{name} must be between {minimum} and {maximum}."), "options");
        }
    }
}
