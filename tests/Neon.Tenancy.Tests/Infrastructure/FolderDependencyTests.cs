using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Neon.Tenancy.Tests.Infrastructure;

/// <summary>
/// The folders of src/Neon.Tenancy depend on each other without a cycle, so a newcomer knows what a folder may touch:
/// Tenants (ids, states, rules, settings) at the bottom, then Secrets and Catalog, the change kit (Mutations), Plans,
/// Provisioning, Usage, Connections and Hosting, and DependencyInjection, the composition root, on top.
/// </summary>
/// <remarks>
/// Precise enough for a flat namespace: every top-level type declared in a folder is that folder's; a folder depends on
/// another when its code (comments and string literals removed, so XML doc references do not count) names one of the
/// other folder's types as a whole word. Files at the project root (the exception root, the top-level options) are
/// shared by every folder and are not part of the rule; nothing may depend on DependencyInjection.
/// </remarks>
public sealed partial class FolderDependencyTests(ITestOutputHelper output)
{
    /// <summary>Known edges that break the rule (none: add one only with the reason it cannot move yet).</summary>
    private static readonly HashSet<(string From, string To, string Type)> Allowed = [];

    [Fact]
    public void Folders_DependOnEachOther_WithoutACycle()
    {
        var graph = Edges();
        foreach (var ((from, to), types) in graph.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal))
        {
            output.WriteLine($"{from} -> {to}: {string.Join(", ", types.Order(StringComparer.Ordinal))}");
        }

        Assert.DoesNotContain(graph.Keys, e => e.To == "DependencyInjection");
        var cycle = FindCycle(graph.Keys.ToList());
        Assert.True(cycle is null, cycle is null ? null : "Folder cycle: " + string.Join(" -> ", cycle.Select((f, i) =>
            i + 1 < cycle.Count ? $"{f} ({string.Join(", ", graph[(f, cycle[i + 1])].Order(StringComparer.Ordinal))})" : f)));
    }

    [Fact]
    public void Rule_SeesACycleWhenThereIsOne()
    {
        Assert.NotNull(FindCycle([("A", "B"), ("B", "C"), ("C", "A")]));
        Assert.Null(FindCycle([("A", "B"), ("B", "C"), ("A", "C")]));
        Assert.Contains(("Provisioning", "Plans"), Edges().Keys); // the scan finds real edges (PlanBook)
    }

    private static Dictionary<(string From, string To), HashSet<string>> Edges()
    {
        var project = Path.Combine(Root(), "src", "Neon.Tenancy");
        var files = Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(project, p))
            .Where(p => p.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !p.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && !p.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(p => (Folder: p[..p.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)], Code: Code(File.ReadAllText(Path.Combine(project, p)))))
            .ToList();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (folder, code) in files)
        {
            foreach (Match match in Declaration().Matches(code))
            {
                owner.TryAdd(match.Groups["name"].Value, folder);
            }
        }

        var edges = new Dictionary<(string, string), HashSet<string>>();
        foreach (var (folder, code) in files)
        {
            foreach (Match word in Word().Matches(code))
            {
                if (owner.TryGetValue(word.Value, out var other) && other != folder && !Allowed.Contains((folder, other, word.Value)))
                {
                    (edges.TryGetValue((folder, other), out var types) ? types : edges[(folder, other)] = new HashSet<string>(StringComparer.Ordinal)).Add(word.Value);
                }
            }
        }

        return edges;
    }

    private static List<string>? FindCycle(IReadOnlyList<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var state = new Dictionary<string, int>(); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (var start in next.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path.Skip(path.IndexOf(node)), node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (Visit(to) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>The code without comments and string literals (raw, verbatim, interpolated or plain).</summary>
    private static string Code(string source) => Literal().Replace(source, " ");

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Neon.Tenancy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Neon.Tenancy.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""""(?s)//[^\n]*|/\*.*?\*/|\$*"""".*?""""|\$*""".*?"""|@"(?:""|[^"])*"|\$?"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])'""""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"(?m)^(?:public|internal)\s+(?:(?:static|sealed|abstract|partial|readonly)\s+)*(?:class|interface|record|struct|enum)\s+(?:struct\s+|class\s+)?(?<name>[A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Word();
}
