namespace Neon.Tenancy.Api.Generator;

/// <summary>Writes the System.Text.Json source-generation context that knows every model.</summary>
internal static class JsonContextEmitter
{
    public static string Emit(IEnumerable<ModelDefinition> models, IEnumerable<string> extraRoots)
    {
        var w = CodeWriter.ForFile(ClientGenerator.ModelNamespace);
        w.Line();
        w.Summary("""
            The System.Text.Json source-generated metadata for every model of the Neon API: no reflection, trimming- and
            AOT-safe. Properties that are <see langword="null"/> are left out of requests, which is what the API's
            partial updates expect.
            """);
        w.Line("[global::System.Text.Json.Serialization.JsonSourceGenerationOptions(");
        w.Line("    DefaultIgnoreCondition = global::System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,");
        w.Line("    NumberHandling = global::System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString)]");
        foreach (var model in models)
        {
            w.Line($"[global::System.Text.Json.Serialization.JsonSerializable(typeof({model.Name}))]");
        }

        foreach (var root in extraRoots)
        {
            w.Line($"[global::System.Text.Json.Serialization.JsonSerializable(typeof({root}))]");
        }

        w.Line("public sealed partial class NeonApiJsonContext : global::System.Text.Json.Serialization.JsonSerializerContext");
        w.Open();
        w.Close();
        return w.ToString();
    }
}
