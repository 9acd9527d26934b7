namespace Neon.Tenancy.Api.Generator;

/// <summary>Writes the models (sealed classes) and extensible string enums (readonly structs).</summary>
internal static class ModelEmitter
{
    public static string Emit(IEnumerable<ModelDefinition> models)
    {
        var w = CodeWriter.ForFile(ClientGenerator.ModelNamespace);
        foreach (var model in models)
        {
            w.Line();
            if (model.EnumValues is { } values)
            {
                EmitEnum(w, model, values);
            }
            else
            {
                EmitModel(w, model);
            }
        }

        return w.ToString();
    }

    private static void EmitModel(CodeWriter w, ModelDefinition model)
    {
        w.Summary(model.Description ?? $"The {Naming.Words(model.Name)} object of the Neon API.");
        w.Line($"public sealed partial class {model.Name}");
        w.Open();
        var first = true;
        foreach (var p in model.Properties)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary(p.Description ?? $"The <c>{p.WireName}</c> value.");
            w.Line($"[global::System.Text.Json.Serialization.JsonPropertyName(\"{p.WireName}\")]");
            var type = p.Type.Name + (p.Nullable ? "?" : "");
            var initializer = p.Nullable ? "" : p.Type.Kind switch
            {
                TypeKind.String => " = \"\";",
                TypeKind.List => $" = new global::System.Collections.Generic.List<{p.Type.Element!.Name}>();",
                TypeKind.Map => $" = new global::System.Collections.Generic.Dictionary<string, {p.Type.Element!.Name}>();",
                TypeKind.Model => " = null!;",
                _ => "",
            };
            w.Line($"public {type} {p.CsName} {{ get; set; }}{initializer}");
        }

        w.Close();
    }

    private static void EmitEnum(CodeWriter w, ModelDefinition model, List<string> values)
    {
        var name = model.Name;
        w.Summary((model.Description ?? $"The {Naming.Words(name)} values of the Neon API.")
            + "\nAn extensible enumeration: values this version does not know are kept as they are, never rejected.");
        w.Line($"[global::System.Text.Json.Serialization.JsonConverter(typeof(global::Neon.Tenancy.Api.NeonEnumJsonConverter<{name}>))]");
        w.Line($"public readonly partial struct {name} : global::System.IEquatable<{name}>, global::Neon.Tenancy.Api.INeonEnum<{name}>");
        w.Open();
        w.Line("private readonly string? _value;");
        w.Line();
        w.Summary($"Creates a <see cref=\"{name}\"/> from its wire value.");
        w.Line("/// <param name=\"value\">The value as the API spells it.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"value\"/> is <see langword=\"null\"/>.</exception>");
        w.Line($"public {name}(string value)");
        w.Open();
        w.Line("global::System.ArgumentNullException.ThrowIfNull(value);");
        w.Line("_value = value;");
        w.Close();
        var used = new HashSet<string>(StringComparer.Ordinal) { "Value" };
        foreach (var value in values)
        {
            var member = Naming.Type(value);
            if (member.Length == 0 || !used.Add(member))
            {
                continue;
            }

            w.Line();
            w.Summary($"<c>{Naming.Escape(value)}</c>");
            w.Line($"public static {name} {member} {{ get; }} = new(\"{value}\");");
        }

        w.Line();
        w.Summary("The value as the API spells it.");
        w.Line("public string Value => _value ?? \"\";");
        w.Line();
        w.Line($"/// <inheritdoc/>");
        w.Line($"public bool Equals({name} other) => string.Equals(Value, other.Value, global::System.StringComparison.Ordinal);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public override bool Equals(object? obj) => obj is {name} other && Equals(other);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override int GetHashCode() => global::System.StringComparer.Ordinal.GetHashCode(Value);");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("public override string ToString() => Value;");
        w.Line();
        w.Summary("Compares two values by their wire form.");
        w.Line("/// <param name=\"left\">The first value.</param>");
        w.Line("/// <param name=\"right\">The second value.</param>");
        w.Line("/// <returns><see langword=\"true\"/> when both have the same wire value.</returns>");
        w.Line($"public static bool operator ==({name} left, {name} right) => left.Equals(right);");
        w.Line();
        w.Summary("Compares two values by their wire form.");
        w.Line("/// <param name=\"left\">The first value.</param>");
        w.Line("/// <param name=\"right\">The second value.</param>");
        w.Line("/// <returns><see langword=\"true\"/> when the wire values differ.</returns>");
        w.Line($"public static bool operator !=({name} left, {name} right) => !left.Equals(right);");
        w.Line();
        w.Summary($"Converts a wire value to a <see cref=\"{name}\"/>.");
        w.Line("/// <param name=\"value\">The value as the API spells it.</param>");
        w.Line($"public static implicit operator {name}(string value) => new(value);");
        w.Line();
        w.Line($"static {name} global::Neon.Tenancy.Api.INeonEnum<{name}>.FromValue(string value) => new(value);");
        w.Close();
    }
}
