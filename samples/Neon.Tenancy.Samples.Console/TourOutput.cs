using System.Globalization;
using System.Text;

namespace Neon.Tenancy.Samples.Console;

/// <summary>
/// Everything the tour prints goes through here: headings, aligned tables, progress lines. Colour only on a terminal
/// (not when the output is redirected, nor with NO_COLOR set), so a log file gets plain text. Thread-safe: concurrent
/// progress lines never interleave.
/// </summary>
internal sealed class TourOutput
{
    private readonly TextWriter _writer;
    private readonly bool _color;
    private readonly Lock _gate = new();

    public TourOutput(TextWriter writer, bool color)
    {
        _writer = writer;
        _color = color;
    }

    public static TourOutput ForConsole()
    {
        System.Console.OutputEncoding = Encoding.UTF8;
        var color = !System.Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        return new TourOutput(System.Console.Out, color);
    }

    public void Title(string text)
    {
        lock (_gate)
        {
            _writer.WriteLine(Paint(text, "1"));
            _writer.WriteLine(Paint(new string('=', text.Length), "2"));
        }
    }

    public void Heading(string text)
    {
        lock (_gate)
        {
            _writer.WriteLine();
            _writer.WriteLine(Paint(text, "1;36"));
        }
    }

    /// <summary>An indented line of prose.</summary>
    public void Line(string text = "")
    {
        lock (_gate)
        {
            _writer.WriteLine(text.Length == 0 ? "" : "  " + text);
        }
    }

    /// <summary>A dimmed explanatory line: what the step is about to show, or what the fake does not emulate.</summary>
    public void Note(string text)
    {
        lock (_gate)
        {
            _writer.WriteLine("  " + Paint(text, "2"));
        }
    }

    public void Ok(string text) => Mark("\u2713", "32", text);

    public void Warn(string text) => Mark("!", "33", text);

    public void Fail(string text) => Mark("\u2717", "31", text);

    /// <summary>A progress line with the elapsed time in front: <c>  +  412 ms  acme  reserved</c>.</summary>
    public void Progress(TimeSpan elapsed, string subject, string text)
    {
        lock (_gate)
        {
            _writer.WriteLine($"  {Paint(Ms(elapsed).PadLeft(9), "2")}  {subject,-18} {text}");
        }
    }

    /// <summary>Aligned "name  value" lines, without a table header.</summary>
    public void Facts(IEnumerable<(string Name, string Value)> facts)
    {
        var list = facts.ToList();
        var width = list.Max(f => f.Name.Length);
        lock (_gate)
        {
            _writer.WriteLine();
            foreach (var (name, value) in list)
            {
                _writer.WriteLine($"  {Paint(name.PadRight(width), "1")}  {value}");
            }
        }
    }

    /// <summary>Prints rows as an aligned table; columns whose header starts with '>' are right-aligned.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        var right = headers.Select(h => h.StartsWith('>')).ToArray();
        var names = headers.Select(h => h.TrimStart('>')).ToArray();
        var widths = names.Select((h, i) => Math.Max(h.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();

        string Format(IReadOnlyList<string> cells) => string.Join("  ",
            cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

        lock (_gate)
        {
            _writer.WriteLine();
            _writer.WriteLine("  " + Paint(Format(names), "1"));
            _writer.WriteLine("  " + Paint(string.Join("  ", widths.Select(w => new string('-', w))), "2"));
            foreach (var row in data)
            {
                _writer.WriteLine("  " + Format(row));
            }

            _writer.WriteLine();
        }
    }

    public static string Ms(TimeSpan elapsed) => elapsed.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private void Mark(string mark, string code, string text)
    {
        lock (_gate)
        {
            _writer.WriteLine($"  {Paint(mark, code)} {text}");
        }
    }

    private string Paint(string text, string code) => _color ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
