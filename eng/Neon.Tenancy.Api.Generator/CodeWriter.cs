using System.Text;

namespace Neon.Tenancy.Api.Generator;

/// <summary>Writes indented C# with <c>\n</c> line endings and XML documentation comments.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    /// <summary>A writer that has written the generated-file header, the <c>using</c> directives and the namespace line.</summary>
    public static CodeWriter ForFile(string @namespace, params string[] usings)
    {
        var w = new CodeWriter();
        w.Raw(ClientGenerator.Header);
        foreach (var u in usings)
        {
            w.Line($"using {u};");
            w.Line();
        }

        w.Line($"namespace {@namespace};");
        return w;
    }

    public override string ToString() => _sb.ToString();

    public void Raw(string text) => _sb.Append(text.ReplaceLineEndings("\n"));

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            _sb.Append(' ', _indent * 4).Append(text);
        }

        _sb.Append('\n');
    }

    public void Open()
    {
        Line("{");
        _indent++;
    }

    public void Close()
    {
        _indent--;
        Line("}");
    }

    public void Summary(string text) => Doc("summary", text);

    public void Remarks(string text) => Doc("remarks", text);

    public void Param(string name, string text)
    {
        var lines = Lines(text);
        if (lines.Count == 1)
        {
            Line($"/// <param name=\"{name}\">{lines[0]}</param>");
            return;
        }

        Line($"/// <param name=\"{name}\">");
        foreach (var line in lines)
        {
            Line("/// " + line);
        }

        Line("/// </param>");
    }

    private void Doc(string tag, string text)
    {
        Line($"/// <{tag}>");
        foreach (var line in Lines(text))
        {
            Line("/// " + line);
        }

        Line($"/// </{tag}>");
    }

    private static List<string> Lines(string text)
    {
        // Text from the definition arrives escaped (see SchemaResolver.Text); the generator's own tags are kept.
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 1 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
