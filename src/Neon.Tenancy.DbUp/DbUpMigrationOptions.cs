using System.Reflection;
using System.Text.RegularExpressions;
using Neon.Tenancy.DbUp.Internal;

namespace Neon.Tenancy.DbUp;

/// <summary>
/// Where <see cref="DbUpTenantMigrator"/> finds its SQL scripts, and where each tenant database keeps the journal of the
/// scripts applied to it. Scripts come from one or more sources (<see cref="AddEmbeddedScripts"/>,
/// <see cref="AddScriptsFromFolder"/>), are read once when the migrator is created, and run in ordinal order of their
/// names across all sources.
/// </summary>
public sealed partial class DbUpMigrationOptions
{
    private readonly List<ScriptSource> _sources = [];

    /// <summary>
    /// The schema of the journal table in each tenant database (created if missing). Default <c>public</c>. A PostgreSQL
    /// identifier: 1-63 letters, digits or underscores, not starting with a digit (it is quoted, so case is kept).
    /// </summary>
    public string JournalSchema { get; set; } = "public";

    /// <summary>
    /// The journal table: one row per applied script (DbUp's layout: <c>schemaversionsid</c>, <c>scriptname</c>,
    /// <c>applied</c>). Default <c>schemaversions</c>, DbUp's own default, so a database DbUp migrated before keeps its
    /// history. Same rules as <see cref="JournalSchema"/>.
    /// </summary>
    public string JournalTable { get; set; } = "schemaversions";

    /// <summary>
    /// The command timeout of each statement of a script; null (default) keeps the connection's (Npgsql's
    /// <c>Command Timeout</c>, 30 seconds unless the connection string says otherwise). At least one second.
    /// </summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>
    /// Adds the <c>.sql</c> files embedded in <paramref name="assembly"/> whose manifest resource name starts with
    /// <paramref name="resourceNamePrefix"/> (ordinal comparison). A script's name is its full resource name (for
    /// example <c>MyApp.Migrations.0001_create_orders.sql</c>), as in DbUp.
    /// </summary>
    /// <param name="assembly">The assembly the scripts are embedded in (<c>&lt;EmbeddedResource Include="Migrations\*.sql" /&gt;</c>).</param>
    /// <param name="resourceNamePrefix">Only resources whose names start with this (for example <c>MyApp.Migrations.</c>); null or empty for all.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="assembly"/> is null.</exception>
    public DbUpMigrationOptions AddEmbeddedScripts(Assembly assembly, string? resourceNamePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _sources.Add(new EmbeddedScriptSource(assembly, resourceNamePrefix ?? string.Empty));
        return this;
    }

    /// <summary>
    /// Adds the <c>.sql</c> files directly in <paramref name="path"/> (not its sub-folders). A script's name is its file
    /// name (for example <c>0001_create_orders.sql</c>), as in DbUp.
    /// </summary>
    /// <param name="path">The folder; relative paths are relative to the current directory when the migrator is created.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or blank.</exception>
    public DbUpMigrationOptions AddScriptsFromFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _sources.Add(new FolderScriptSource(path));
        return this;
    }

    internal IReadOnlyList<ScriptSource> Sources => _sources;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of its rules.</summary>
    internal void Validate()
    {
        ValidateIdentifier(JournalSchema, nameof(JournalSchema));
        ValidateIdentifier(JournalTable, nameof(JournalTable));
        if (CommandTimeout is { } timeout && (timeout < TimeSpan.FromSeconds(1) || timeout.TotalSeconds > int.MaxValue))
        {
            throw new ArgumentException($"DbUpMigrationOptions.{nameof(CommandTimeout)} must be null or between 1 second and {int.MaxValue} seconds (was {timeout}).", nameof(CommandTimeout));
        }

        if (_sources.Count == 0)
        {
            throw new ArgumentException(
                $"DbUpMigrationOptions has no scripts: call {nameof(AddEmbeddedScripts)} or {nameof(AddScriptsFromFolder)}.", "options");
        }
    }

    private static void ValidateIdentifier(string? value, string name)
    {
        // The journal interpolates both names into SQL (quoted, and once as a string literal): plain identifiers only.
        if (value is null || !Identifier().IsMatch(value))
        {
            throw new ArgumentException(
                $"DbUpMigrationOptions.{name} must be a PostgreSQL identifier of 1-63 letters, digits or underscores, not starting with a digit (was '{value}').", name);
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
