using Neon.Tenancy.Testing.Contract;

namespace Neon.Tenancy.Testing;

/// <summary>
/// The behaviour every <see cref="ITenantCatalog"/> must have, as data: run each case as its own test with any test
/// framework (xUnit v2 or v3, NUnit, MSTest). A broken case throws <see cref="TenantCatalogContractException"/>
/// naming the case and what differed.
/// </summary>
/// <remarks>
/// Ships in Neon.Tenancy.Testing so that an application with its own <see cref="ITenantCatalog"/> runs the same
/// contract the built-in catalogs pass. It depends only on the public API and FakeTimeProvider. With xUnit:
/// <code>
/// public static TheoryData&lt;string&gt; Cases =&gt; new(TenantCatalogContract.CaseNames);
///
/// [Theory]
/// [MemberData(nameof(Cases))]
/// public Task Contract(string name) =&gt; TenantCatalogContract.RunAsync(name, TenantCatalogContract.Target(time =&gt; new MyCatalog(time)));
/// </code>
/// </remarks>
public static class TenantCatalogContract
{
    private static readonly TenantCatalogContractCase[] All = [.. ReserveCases.All, .. UpdateCases.All, .. ListCases.All, .. ChangeFeedCases.All, .. CheckpointCases.All];
    private static readonly Dictionary<string, TenantCatalogContractCase> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>Every case, in a stable order.</summary>
    public static IReadOnlyList<TenantCatalogContractCase> Cases { get; } = Array.AsReadOnly(All);

    /// <summary>The name of every case, in the order of <see cref="Cases"/> (strings: every framework can use them as test data).</summary>
    public static IReadOnlyList<string> CaseNames { get; } = Array.AsReadOnly(All.Select(c => c.Name).ToArray());

    /// <summary>Finds a case by its <see cref="TenantCatalogContractCase.Name"/>.</summary>
    /// <param name="name">The case's name.</param>
    /// <returns>The case.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No case has that name.</exception>
    public static TenantCatalogContractCase GetCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name, out var found)
            ? found
            : throw new ArgumentException($"The tenant catalog contract has no case named '{name}'; see TenantCatalogContract.CaseNames.", nameof(name));
    }

    /// <summary>Runs one case against fresh storage (see <see cref="TenantCatalogContractCase.RunAsync"/>).</summary>
    /// <param name="name">The case's name.</param>
    /// <param name="target">The catalog under test; a new one (with new storage) for every run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task that completes when the catalog passed the case.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">No case has that name.</exception>
    /// <exception cref="TenantCatalogContractException">The catalog broke the case.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static Task RunAsync(string name, ITenantCatalogContractTarget target, CancellationToken cancellationToken = default) =>
        GetCase(name).RunAsync(target, cancellationToken);

    /// <summary>
    /// A target whose catalogs <paramref name="createCatalog"/> makes; every call after the first must share the first
    /// one's data (as a second application instance would). Create one inside each test, so each run has its own storage.
    /// </summary>
    /// <param name="createCatalog">Makes a catalog instance over this run's storage, reading the given clock.</param>
    /// <returns>The target, for <see cref="RunAsync"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="createCatalog"/> is null.</exception>
    public static ITenantCatalogContractTarget Target(Func<TimeProvider, ITenantCatalog> createCatalog)
    {
        ArgumentNullException.ThrowIfNull(createCatalog);
        return new DelegateTarget(createCatalog);
    }

    private sealed class DelegateTarget(Func<TimeProvider, ITenantCatalog> createCatalog) : ITenantCatalogContractTarget
    {
        public ValueTask<ITenantCatalog> CreateCatalogAsync(TimeProvider timeProvider) => ValueTask.FromResult(createCatalog(timeProvider));
    }
}
