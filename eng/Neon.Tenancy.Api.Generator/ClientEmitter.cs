using System.Text;

namespace Neon.Tenancy.Api.Generator;

/// <summary>Writes one client class per included tag, one method per operation, and the properties of <c>NeonApiClient</c> that reach them.</summary>
internal static class ClientEmitter
{
    public static string Emit(IReadOnlyList<OperationModel> operations)
    {
        var w = CodeWriter.ForFile(ClientGenerator.ClientNamespace, ClientGenerator.ModelNamespace);
        w.Line();
        w.Line("public sealed partial class NeonApiClient");
        w.Open();
        var first = true;
        foreach (var (tag, group) in ClientGenerator.IncludedTags)
        {
            if (!first)
            {
                w.Line();
            }

            first = false;
            w.Summary($"The operations of the Neon API's <c>{tag}</c> tag.");
            w.Line($"public {group}Client {group} => field ??= new(this);");
        }

        w.Close();

        foreach (var (tag, group) in ClientGenerator.IncludedTags)
        {
            w.Line();
            w.Summary($"The operations of the Neon API's <c>{tag}</c> tag, reached through <see cref=\"NeonApiClient.{group}\"/>.");
            w.Line($"public sealed partial class {group}Client");
            w.Open();
            w.Line("private readonly NeonApiClient _client;");
            w.Line();
            w.Line($"internal {group}Client(NeonApiClient client) => _client = client;");
            foreach (var op in operations.Where(o => o.Group == group))
            {
                w.Line();
                EmitOperation(w, op);
            }

            w.Close();
        }

        return w.ToString();
    }

    private static void EmitOperation(CodeWriter w, OperationModel op)
    {
        var required = op.Parameters.Where(p => p.Required).OrderBy(p => p.Location == "path" ? 0 : 1).ToList();
        var optional = op.Parameters.Where(p => !p.Required).ToList();
        var signature = new List<string>();
        var docs = new List<(string Name, string Text)>();
        foreach (var p in required)
        {
            signature.Add($"{p.Type.Name} {p.CsName}");
            docs.Add((p.CsName, p.Description ?? $"The <c>{p.WireName}</c> {p.Location} parameter."));
        }

        if (op.Body is not null && op.BodyRequired)
        {
            signature.Add($"{op.Body.Name} request");
            docs.Add(("request", op.BodyDescription ?? "The request body."));
        }

        foreach (var p in optional)
        {
            signature.Add($"{p.Type.Name}? {p.CsName} = null");
            docs.Add((p.CsName, (p.Description ?? $"The <c>{p.WireName}</c> query parameter.") + "\nOptional: omitted from the request when <see langword=\"null\"/>."));
        }

        if (op.Body is not null && !op.BodyRequired)
        {
            signature.Add($"{op.Body.Name}? request = null");
            docs.Add(("request", (op.BodyDescription ?? "The request body.") + "\nOptional: no body is sent when <see langword=\"null\"/>."));
        }

        signature.Add("global::System.Threading.CancellationToken cancellationToken = default");
        docs.Add(("cancellationToken", "A token that cancels the call and its retries."));

        var methodName = Naming.Type(op.OperationId) + "Async";
        var summary = op.Summary ?? op.Description ?? op.OperationId;
        var deprecated = op.Deprecated ? "\nDeprecated by Neon." : "";
        w.Summary(summary + deprecated);
        if (op.Summary is not null && op.Description is not null)
        {
            w.Remarks(op.Description);
        }

        foreach (var (name, text) in docs)
        {
            w.Param(name, text);
        }

        w.Line(op.Response is null
            ? "/// <returns>A task that completes when the API accepted the call.</returns>"
            : "/// <returns>The response body.</returns>");
        w.Line($"/// <exception cref=\"global::Neon.Tenancy.Api.NeonApiException\">The API answered <c>{op.Method} {Naming.Escape(op.Path)}</c> with an error, or the call failed or timed out.</exception>");
        var returnType = op.Response is null ? "global::System.Threading.Tasks.Task" : $"global::System.Threading.Tasks.Task<{op.Response.Name}>";
        w.Line($"public {returnType} {methodName}({string.Join(", ", signature)})");
        w.Open();
        foreach (var p in op.Parameters.Where(p => p.Required && !p.Type.IsValueType))
        {
            w.Line(p.Location == "path" && p.Type.Kind == TypeKind.String
                ? $"global::System.ArgumentException.ThrowIfNullOrEmpty({p.CsName});"
                : $"global::System.ArgumentNullException.ThrowIfNull({p.CsName});");
        }

        if (op.Body is not null && op.BodyRequired)
        {
            w.Line("global::System.ArgumentNullException.ThrowIfNull(request);");
        }

        var path = new StringBuilder();
        var segments = op.Path.Split('{');
        path.Append('"').Append(segments[0]).Append('"');
        foreach (var segment in segments.Skip(1))
        {
            var close = segment.IndexOf('}', StringComparison.Ordinal);
            var wire = segment[..close];
            var parameter = op.Parameters.First(p => p.WireName == wire && p.Location == "path");
            path.Append(" + global::Neon.Tenancy.Api.NeonQueryBuilder.PathSegment(").Append(parameter.CsName).Append(')');
            if (close + 1 < segment.Length)
            {
                path.Append(" + \"").Append(segment[(close + 1)..]).Append('"');
            }
        }

        var queryParameters = op.Parameters.Where(p => p.Location == "query").ToList();
        var uri = path.ToString();
        if (queryParameters.Count > 0)
        {
            w.Line("var query = new global::Neon.Tenancy.Api.NeonQueryBuilder();");
            foreach (var p in queryParameters)
            {
                var value = p.Type.Kind == TypeKind.List && p.Type.Element!.Kind == TypeKind.Enum
                    ? $"global::System.Linq.Enumerable.Select({p.CsName}, static v => v.Value)"
                    : p.Type.Kind == TypeKind.Enum ? (p.Required ? $"{p.CsName}.Value" : $"{p.CsName}?.Value") : p.CsName;
                if (p.Type.Kind == TypeKind.List && p.Type.Element!.Kind == TypeKind.Enum && !p.Required)
                {
                    value = $"{p.CsName} is null ? null : " + value;
                }

                w.Line($"query.Add(\"{p.WireName}\", {value});");
            }

            uri = $"query.Build({uri})";
        }

        var content = op.Body is null
            ? "null"
            : op.BodyRequired
                ? $"global::Neon.Tenancy.Api.NeonApiClient.JsonContent(request, global::Neon.Tenancy.Api.Models.NeonApiJsonContext.Default.{op.Body.Name})"
                : $"request is null ? null : global::Neon.Tenancy.Api.NeonApiClient.JsonContent(request, global::Neon.Tenancy.Api.Models.NeonApiJsonContext.Default.{op.Body.Name})";
        var method = op.Method switch
        {
            "GET" => "global::System.Net.Http.HttpMethod.Get",
            "POST" => "global::System.Net.Http.HttpMethod.Post",
            "PUT" => "global::System.Net.Http.HttpMethod.Put",
            "PATCH" => "global::System.Net.Http.HttpMethod.Patch",
            "DELETE" => "global::System.Net.Http.HttpMethod.Delete",
            _ => throw new InvalidOperationException($"Unsupported method {op.Method}."),
        };
        var responseType = op.Response is null ? "" : $", global::Neon.Tenancy.Api.Models.NeonApiJsonContext.Default.{TypeInfoName(op.Response)}";
        w.Line($"return _client.SendAsync({method}, \"{op.Path}\", \"{op.OperationId}\", {uri}, {content}{responseType}, cancellationToken);");
        w.Close();
    }

    /// <summary>The property name the source generator gives a type's JsonTypeInfo.</summary>
    private static string TypeInfoName(TypeRef type) => type.Kind switch
    {
        TypeKind.List => "IList" + TypeInfoName(type.Element!),
        TypeKind.Map => "IDictionaryString" + TypeInfoName(type.Element!),
        TypeKind.String => "String",
        TypeKind.Number => type.Name == "int" ? "Int32" : type.Name == "double" ? "Double" : "Int64",
        TypeKind.Bool => "Boolean",
        TypeKind.DateTime => "DateTimeOffset",
        TypeKind.Json => "JsonElement",
        _ => type.Name,
    };
}
