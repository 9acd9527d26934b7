using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Tests.Hosting;

/// <summary>
/// Keeps the telemetry reference of src/Neon.Tenancy/README.md true, reading the names from the code by reflection:
/// every log event id (<see cref="NeonTenancyEventId"/>, and the Neon API client's log class), every instrument
/// (<see cref="NeonTenancyTelemetry"/>) and the ActivitySource are documented there, and nothing documented is missing
/// from the code. Every [LoggerMessage] of Neon.Tenancy uses a <see cref="NeonTenancyEventId"/> constant and its name.
/// </summary>
public sealed partial class TelemetryDocumentationTests
{
    private static readonly Assembly Tenancy = typeof(NeonTenancyEventId).Assembly;
    private static readonly Assembly Api = typeof(NeonApiOptions).Assembly;
    private static readonly string Readme = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "src", "Neon.Tenancy", "README.md"));

    [Fact]
    public void EveryInstrument_IsInTheReadme_AndViceVersa()
    {
        var inCode = new SortedSet<string>(Constants<string>(typeof(NeonTenancyTelemetry.Instruments)).Values, StringComparer.Ordinal);
        var documented = new SortedSet<string>(
            Section("### Instruments").Split('\n').Select(l => DocumentedInstrument().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value),
            StringComparer.Ordinal);

        Assert.True(inCode.Count >= 9, $"NeonTenancyTelemetry.Instruments lists only {inCode.Count} instruments.");
        AssertSame("instrument", inCode, documented);
    }

    [Fact]
    public void TheActivitySource_IsInTheReadme()
    {
        var source = (string?)Api.GetType("Neon.Tenancy.Api.NeonApiDiagnostics", throwOnError: true)!
            .GetField("SourceName", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!.GetRawConstantValue();

        Assert.Equal(NeonTenancyTelemetry.MeterName, source);
        Assert.Contains($"### Activities (ActivitySource `{source}`)", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryLogEventId_IsInTheReadme_AndViceVersa()
    {
        var ids = Constants<int>(typeof(NeonTenancyEventId));
        var apiIds = LoggerMessages(Api).Select(m => m.Attribute.EventId).ToList();
        var inCode = new SortedSet<int>(ids.Values.Concat(apiIds));
        var documented = new SortedSet<int>(
            Section("### Log event ids").Split('\n').Select(l => DocumentedEventId().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.True(ids.Count >= 50, $"NeonTenancyEventId lists only {ids.Count} event ids.");
        Assert.True(apiIds.Count >= 7, $"Reflection found only {apiIds.Count} [LoggerMessage] methods in Neon.Tenancy.Api.");
        Assert.Equal(ids.Count + apiIds.Count, inCode.Count); // no id used twice, within or across the packages
        AssertSame("event id", inCode, documented);
    }

    [Fact]
    public void EveryLoggerMessage_UsesANeonTenancyEventIdConstantAndItsName_AndEveryConstantIsLogged()
    {
        var ids = Constants<int>(typeof(NeonTenancyEventId));
        var byId = ids.ToDictionary(kv => kv.Value, kv => kv.Key);
        var messages = LoggerMessages(Tenancy).ToList();

        Assert.True(messages.Count >= 50, $"Reflection found only {messages.Count} [LoggerMessage] methods in Neon.Tenancy.");
        Assert.All(messages, m =>
        {
            Assert.True(byId.TryGetValue(m.Attribute.EventId, out var name), $"{m.Method}: event id {m.Attribute.EventId} is not a NeonTenancyEventId constant.");
            Assert.True(m.Attribute.EventName == name, $"{m.Method}: EventName is '{m.Attribute.EventName}', not nameof(NeonTenancyEventId.{name}).");
        });
        var unused = ids.Where(kv => !messages.Any(m => m.Attribute.EventId == kv.Value)).Select(kv => kv.Key).ToList();
        Assert.True(unused.Count == 0, "NeonTenancyEventId constants no [LoggerMessage] uses (retire them): " + string.Join(", ", unused));
        var twice = messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, "Event ids logged by two methods: " + string.Join(", ", twice));
    }

    private static IEnumerable<(string Method, LoggerMessageAttribute Attribute)> LoggerMessages(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Method, m.Attribute!));

    private static Dictionary<string, T> Constants<T>(Type type) =>
        type.GetFields(BindingFlags.Static | BindingFlags.Public)
            .Where(f => f.IsLiteral && f.FieldType == typeof(T))
            .ToDictionary(f => f.Name, f => (T)f.GetRawConstantValue()!, StringComparer.Ordinal);

    private static void AssertSame<T>(string what, IEnumerable<T> inCode, IEnumerable<T> documented)
    {
        var undocumented = inCode.Except(documented).ToList();
        var stale = documented.Except(inCode).ToList();
        Assert.True(undocumented.Count == 0, $"Add a row to the telemetry reference of src/Neon.Tenancy/README.md for each {what} in the code but not documented: {string.Join(", ", undocumented)}");
        Assert.True(stale.Count == 0, $"Remove the rows of src/Neon.Tenancy/README.md for each {what} documented but no longer in the code: {string.Join(", ", stale)}");
    }

    private static string Section(string heading)
    {
        var start = Readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"src/Neon.Tenancy/README.md has no '{heading}' section.");
        var end = Readme.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
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

    [GeneratedRegex("""^\|\s*`(neon\.tenancy\.[a-z0-9_.]+)`\s*\|""")]
    private static partial Regex DocumentedInstrument();

    [GeneratedRegex("""^\|\s*(\d{4})\s*\|""")]
    private static partial Regex DocumentedEventId();
}
