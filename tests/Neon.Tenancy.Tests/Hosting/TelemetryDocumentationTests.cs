using System.Text.RegularExpressions;

namespace Neon.Tenancy.Tests.Hosting;

/// <summary>
/// Keeps the telemetry reference of src/Neon.Tenancy/README.md true: every instrument, ActivitySource and
/// [LoggerMessage] event id in src/ is documented there, and nothing documented is missing from the code.
/// </summary>
public sealed partial class TelemetryDocumentationTests
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string Readme = File.ReadAllText(Path.Combine(Root, "src", "Neon.Tenancy", "README.md"));
    private static readonly IReadOnlyList<(string Path, string Text)> Sources = Directory
        .EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
        .Where(p => !IsExcluded(p))
        .Select(p => (Path.GetRelativePath(Root, p), File.ReadAllText(p)))
        .ToList();

    [Fact]
    public void EveryInstrumentInCode_IsInTheReadme_AndViceVersa()
    {
        var constants = StringConstants();
        var inCode = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, text) in Sources)
        {
            foreach (Match m in InstrumentCall().Matches(text))
            {
                inCode.Add(Resolve(m.Groups["arg"].Value, constants, path));
            }
        }

        var documented = new SortedSet<string>(
            Section("### Instruments").Split('\n').Select(l => DocumentedInstrument().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value),
            StringComparer.Ordinal);

        Assert.True(inCode.Count >= 9, $"The scan found only {inCode.Count} instruments: is the regex still right?");
        AssertSame("instrument", inCode, documented);
    }

    [Fact]
    public void EveryActivitySourceInCode_IsInTheReadme()
    {
        var constants = StringConstants();
        var inCode = Sources
            .SelectMany(s => ActivitySourceCreation().Matches(s.Text).Select(m => Resolve(m.Groups["arg"].Value, constants, s.Path)))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(inCode);
        Assert.All(inCode, name => Assert.Contains($"### Activities (ActivitySource `{name}`)", Readme, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryLogEventIdInCode_IsInTheReadme_AndViceVersa()
    {
        var inCode = new SortedSet<int>();
        var duplicates = new List<int>();
        foreach (var (_, text) in Sources)
        {
            foreach (Match m in LoggerMessageAttribute().Matches(text))
            {
                var args = m.Groups["args"].Value;
                var id = NamedEventId().Match(args) is { Success: true } named ? named.Groups[1].Value : PositionalEventId().Match(args).Groups[1].Value;
                Assert.False(string.IsNullOrEmpty(id), $"[LoggerMessage({args})] has no event id.");
                if (!inCode.Add(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)))
                {
                    duplicates.Add(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        var documented = new SortedSet<int>(
            Section("### Log event ids").Split('\n').Select(l => DocumentedEventId().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.True(inCode.Count >= 39, $"The scan found only {inCode.Count} event ids: is the regex still right?");
        Assert.True(duplicates.Count == 0, "Event ids used twice: " + string.Join(", ", duplicates));
        AssertSame("event id", inCode, documented);
    }

    [Fact]
    public void Scanner_FindsInstrumentsNamedByConstantsAndEventIdsInBothForms()
    {
        const string code = """
            public const string DurationName = "neon.tenancy.x.duration";
            _d = meter.CreateHistogram<double>(DurationName, "s", "d");
            meter.CreateObservableGauge("neon.tenancy.x.gauge", () => 1);
            [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "a (b)")]
            [LoggerMessage(7002, LogLevel.Debug, "c")]
            """;

        var names = InstrumentCall().Matches(code).Select(m => Resolve(m.Groups["arg"].Value, new Dictionary<string, string> { ["DurationName"] = "neon.tenancy.x.duration" }, "test")).ToList();
        var ids = LoggerMessageAttribute().Matches(code).Select(m => m.Groups["args"].Value)
            .Select(a => NamedEventId().Match(a) is { Success: true } n ? n.Groups[1].Value : PositionalEventId().Match(a).Groups[1].Value).ToList();

        Assert.Equal(["neon.tenancy.x.duration", "neon.tenancy.x.gauge"], names);
        Assert.Equal(["7001", "7002"], ids);
    }

    private static void AssertSame<T>(string what, IEnumerable<T> inCode, IEnumerable<T> documented)
    {
        var undocumented = inCode.Except(documented).ToList();
        var stale = documented.Except(inCode).ToList();
        Assert.True(undocumented.Count == 0, $"Add a row to the telemetry reference of src/Neon.Tenancy/README.md for each {what} in src/ but not documented: {string.Join(", ", undocumented)}");
        Assert.True(stale.Count == 0, $"Remove the rows of src/Neon.Tenancy/README.md for each {what} documented but no longer in src/: {string.Join(", ", stale)}");
    }

    private static string Section(string heading)
    {
        var start = Readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"src/Neon.Tenancy/README.md has no '{heading}' section.");
        var end = Readme.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
    }

    private static Dictionary<string, string> StringConstants()
    {
        var constants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, text) in Sources)
        {
            foreach (Match m in StringConstant().Matches(text))
            {
                constants.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
            }
        }

        return constants;
    }

    private static string Resolve(string argument, IReadOnlyDictionary<string, string> constants, string path)
    {
        if (argument.StartsWith('"'))
        {
            return argument.Trim('"');
        }

        var name = argument[(argument.LastIndexOf('.') + 1)..];
        Assert.True(constants.TryGetValue(name, out var value), $"{path}: cannot resolve the name '{argument}' to a string constant; use a literal or a const string.");
        return value;
    }

    private static bool IsExcluded(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar);
        return parts.Contains("bin") || parts.Contains("obj") || parts.Contains("Generated");
    }

    private static string FindRepositoryRoot()
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

    [GeneratedRegex("""\.Create(?:Counter|Histogram|UpDownCounter|Gauge|ObservableCounter|ObservableGauge|ObservableUpDownCounter)\s*(?:<[^>(]+>)?\s*\(\s*(?<arg>"[^"]+"|[A-Za-z_][A-Za-z0-9_.]*)""")]
    private static partial Regex InstrumentCall();

    [GeneratedRegex("""ActivitySource\s+\w+\s*=\s*new(?:\s+ActivitySource)?\s*\(\s*(?<arg>"[^"]+"|[A-Za-z_][A-Za-z0-9_.]*)""")]
    private static partial Regex ActivitySourceCreation();

    [GeneratedRegex("""const\s+string\s+(\w+)\s*=\s*"([^"]*)"\s*;""")]
    private static partial Regex StringConstant();

    [GeneratedRegex("""\[LoggerMessage\s*\((?<args>.*?)\)\]""", RegexOptions.Singleline)]
    private static partial Regex LoggerMessageAttribute();

    [GeneratedRegex("""EventId\s*=\s*(\d+)""")]
    private static partial Regex NamedEventId();

    [GeneratedRegex("""^\s*(\d+)""")]
    private static partial Regex PositionalEventId();

    [GeneratedRegex("""^\|\s*`(neon\.tenancy\.[a-z0-9_.]+)`\s*\|""")]
    private static partial Regex DocumentedInstrument();

    [GeneratedRegex("""^\|\s*(\d{4})\s*\|""")]
    private static partial Regex DocumentedEventId();
}
