using DbUp.Engine;
using DbUp.Support;

namespace Neon.Tenancy.DbUp.Internal;

/// <summary>
/// One tenant's migration, as DbUp sees it: the filter that picks the scripts to run (and refuses a journal listing
/// scripts this build does not have), and the preprocessor that stops before the next script once canceled. Both run
/// inside DbUp's operation, on the tenant's connection.
/// </summary>
internal sealed class MigrationRun(TenantId tenantId, DbUpTenantMigrator migrator, int targetVersion, CancellationToken cancellationToken)
    : IScriptFilter, IScriptPreprocessor
{
    public TenantId TenantId { get; } = tenantId;

    /// <summary>How many scripts the journal listed before this run (all of them known to this build).</summary>
    public int JournalCount { get; private set; }

    /// <summary>The exception <see cref="Filter"/> threw for a journal listing unknown scripts (DbUp hands it back in its result).</summary>
    public InvalidOperationException? JournalMismatch { get; private set; }

    public IEnumerable<SqlScript> Filter(IEnumerable<SqlScript> sorted, HashSet<string> executedScriptNames, ScriptNameComparer comparer)
    {
        var known = migrator.ScriptNames;
        var unknown = executedScriptNames.Where(name => !known.Contains(name, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            JournalMismatch = new InvalidOperationException(
                $"The journal {migrator.JournalName} of tenant '{TenantId}' lists {unknown.Count} script(s) this build does not have: "
                + string.Join(", ", unknown.Select(static name => $"'{name}'"))
                + ". Was the tenant migrated by a newer build, or was a script renamed? Nothing was run.");
            throw JournalMismatch;
        }

        JournalCount = executedScriptNames.Count;
        var wanted = Math.Max(0, targetVersion - JournalCount);
        return sorted.Where(script => !executedScriptNames.Contains(script.Name)).Take(wanted).ToList();
    }

    /// <summary>Runs before each script, ahead of its transaction: a canceled migration stops here, between scripts.</summary>
    public string Process(string contents)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return contents;
    }
}
