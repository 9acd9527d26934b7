using Neon.Tenancy.Testing.Contract;

namespace Neon.Tenancy.Testing;

/// <summary>One behaviour of the <see cref="TenantCatalogContract"/>: a name and a check to run against a catalog.</summary>
public sealed class TenantCatalogContractCase
{
    private readonly Func<ContractRun, Task> _body;

    internal TenantCatalogContractCase(string name, string description, Func<ContractRun, Task> body)
    {
        Name = name;
        Description = description;
        _body = body;
    }

    /// <summary>The case's stable name, <c>Method_Condition_Result</c> (use it as a test's data).</summary>
    public string Name { get; }

    /// <summary>What the case requires of a catalog, in one sentence.</summary>
    public string Description { get; }

    /// <summary>
    /// Runs the case against fresh storage: creates the catalogs it needs through <paramref name="target"/> on a
    /// fake clock, checks them, and disposes them.
    /// </summary>
    /// <param name="target">The catalog under test.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task that completes when the catalog passed the case.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    /// <exception cref="TenantCatalogContractException">The catalog broke the case (a check failed, it threw
    /// unexpectedly, or a change did not arrive within 30 seconds).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async Task RunAsync(ITenantCatalogContractTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var run = new ContractRun(target, cancellationToken);
        try
        {
            await _body(run).ConfigureAwait(false);
        }
        catch (ContractCheckException ex)
        {
            throw new TenantCatalogContractException(Name, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not TenantCatalogContractException)
        {
            throw new TenantCatalogContractException(Name, $"the catalog threw {ex.GetType().Name}: {ex.Message}", ex);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns <see cref="Name"/> (how test runners show the case).</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}
