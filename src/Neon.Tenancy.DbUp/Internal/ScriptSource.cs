using System.Reflection;
using DbUp;
using DbUp.Engine;

namespace Neon.Tenancy.DbUp.Internal;

/// <summary>A place scripts come from; read once, when the migrator is created.</summary>
internal abstract class ScriptSource
{
    public abstract IReadOnlyList<SqlScript> Load();
}

/// <summary>The <c>.sql</c> resources of an assembly under a name prefix; named by resource name, as DbUp's embedded provider names them.</summary>
internal sealed class EmbeddedScriptSource(Assembly assembly, string prefix) : ScriptSource
{
    public override IReadOnlyList<SqlScript> Load()
    {
        var scripts = new List<SqlScript>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"The embedded resource '{name}' of {assembly.GetName().Name} could not be read.");
            scripts.Add(SqlScript.FromStream(name, stream, DbUpDefaults.DefaultEncoding));
        }

        return scripts;
    }

    public override string ToString() => prefix.Length == 0
        ? $"the resources of {assembly.GetName().Name}"
        : $"the resources of {assembly.GetName().Name} starting with '{prefix}'";
}

/// <summary>The <c>.sql</c> files directly in a folder; named by file name, as DbUp's file-system provider names them.</summary>
internal sealed class FolderScriptSource(string path) : ScriptSource
{
    public override IReadOnlyList<SqlScript> Load()
    {
        var folder = Path.GetFullPath(path);
        return Directory.GetFiles(folder, "*.sql", SearchOption.TopDirectoryOnly)
            .Where(static file => file.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            .Select(file => SqlScript.FromFile(folder, file, DbUpDefaults.DefaultEncoding))
            .ToList();
    }

    public override string ToString() => $"the folder '{path}'";
}
