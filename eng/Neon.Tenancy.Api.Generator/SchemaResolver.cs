using System.Globalization;
using System.Text.Json.Nodes;

namespace Neon.Tenancy.Api.Generator;

/// <summary>
/// Reads the definition: collects the operations of the included tags and maps every schema they reach to a C# type,
/// defining a model (object) or an extensible enum (string enum) for each on the way. Names are unique and stable.
/// </summary>
internal sealed class SchemaResolver(JsonObject spec)
{
    private readonly JsonObject _schemas = spec["components"]!["schemas"]!.AsObject();
    private readonly JsonObject _responses = spec["components"]!["responses"]!.AsObject();
    private readonly JsonObject _parameters = spec["components"]!["parameters"]!.AsObject();
    private readonly SortedDictionary<string, ModelDefinition> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TypeRef> _schemaTypes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reservedNames = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _extraRoots = new(StringComparer.Ordinal);

    /// <summary>Every model and enum defined so far, sorted by name.</summary>
    public IEnumerable<ModelDefinition> Models => _models.Values;

    /// <summary>Request and response types that are neither a model nor an enum (lists, maps, primitives), which the JSON context must still know.</summary>
    public IEnumerable<string> ExtraRoots => _extraRoots;

    /// <summary>The operations of <see cref="ClientGenerator.IncludedTags"/>, sorted by group then operation id.</summary>
    public List<OperationModel> CollectOperations()
    {
        foreach (var name in _schemas.Select(p => p.Key))
        {
            _reservedNames.Add(Naming.Type(name));
        }

        var groups = ClientGenerator.IncludedTags.ToDictionary(t => t.Tag, t => t.Group, StringComparer.Ordinal);
        var result = new List<OperationModel>();
        foreach (var (path, itemNode) in spec["paths"]!.AsObject())
        {
            var item = itemNode!.AsObject();
            foreach (var (method, opNode) in item)
            {
                if (method is "parameters" or "summary" or "description" || opNode is not JsonObject op)
                {
                    continue;
                }

                var tags = op["tags"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [];
                var group = tags.Where(groups.ContainsKey).Select(t => groups[t]).FirstOrDefault();
                if (group is null)
                {
                    continue;
                }

                result.Add(BuildOperation(group, method, path, item, op));
            }
        }

        return [.. result.OrderBy(o => o.Group, StringComparer.Ordinal).ThenBy(o => o.OperationId, StringComparer.Ordinal)];
    }

    private OperationModel BuildOperation(string group, string method, string path, JsonObject item, JsonObject op)
    {
        var operationId = op["operationId"]!.GetValue<string>();
        var opName = Naming.Type(operationId);
        var parameters = new List<ParameterModel>();
        var declared = (item["parameters"]?.AsArray() ?? []).Concat(op["parameters"]?.AsArray() ?? []);
        foreach (var node in declared)
        {
            var p = Deref(node!.AsObject(), _parameters);
            var location = p["in"]!.GetValue<string>();
            if (location is not ("path" or "query"))
            {
                continue;
            }

            var wire = p["name"]!.GetValue<string>();
            if (parameters.Any(x => x.WireName == wire))
            {
                continue;
            }

            var type = Resolve(p["schema"]!.AsObject(), opName + Naming.Type(wire));
            parameters.Add(new ParameterModel(wire, location, type, location == "path" || (p["required"]?.GetValue<bool>() ?? false), Text(p["description"])));
        }

        TypeRef? body = null;
        string? bodyDescription = null;
        var bodyRequired = false;
        if (op["requestBody"] is JsonObject requestBody
            && requestBody["content"]?["application/json"]?["schema"] is JsonObject bodySchema)
        {
            body = Resolve(bodySchema, opName + "Request");
            bodyRequired = requestBody["required"]?.GetValue<bool>() ?? false;
            bodyDescription = Text(requestBody["description"]);
        }

        TypeRef? response = null;
        foreach (var code in new[] { "200", "201", "202" })
        {
            if (op["responses"]?[code] is JsonObject r)
            {
                r = Deref(r, _responses);
                if (r["content"]?["application/json"]?["schema"] is JsonObject responseSchema)
                {
                    response = Resolve(responseSchema, opName + "Response");
                }

                break;
            }
        }

        foreach (var root in new[] { body, response })
        {
            if (root is { Kind: not (TypeKind.Model or TypeKind.Enum) })
            {
                _extraRoots.Add(root.Name);
            }
        }

        return new OperationModel(group, method.ToUpperInvariant(), path.TrimStart('/'), operationId, Text(op["summary"]), Text(op["description"]),
            parameters, body, bodyRequired, bodyDescription, response, op["deprecated"]?.GetValue<bool>() ?? false);
    }

    private static JsonObject Deref(JsonObject node, JsonObject components)
    {
        while (node["$ref"] is JsonNode reference)
        {
            node = components[reference.GetValue<string>().Split('/')[^1]]!.AsObject();
        }

        return node;
    }

    /// <summary>Maps a schema to a C# type, defining models for objects and enums on the way.</summary>
    private TypeRef Resolve(JsonObject schema, string contextName)
    {
        if (schema["$ref"] is JsonNode reference)
        {
            var name = reference.GetValue<string>().Split('/')[^1];
            return ResolveNamed(name);
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            if (allOf.Count == 1 && schema["properties"] is null)
            {
                return Resolve(allOf[0]!.AsObject(), contextName);
            }

            return DefineObject(UniqueName(contextName), schema);
        }

        if (schema["oneOf"] is not null || schema["anyOf"] is not null)
        {
            return TypeRef.Json;
        }

        var type = schema["type"]?.GetValue<string>();
        switch (type)
        {
            case "string" when schema["enum"] is JsonArray values:
                return DefineEnum(UniqueName(contextName), values, Text(schema["description"]));
            case "string":
                return schema["format"]?.GetValue<string>() == "date-time" ? TypeRef.DateTime : TypeRef.String;
            case "integer":
                return schema["format"]?.GetValue<string>() == "int32" ? TypeRef.Int : TypeRef.Long;
            case "number":
                return TypeRef.Double;
            case "boolean":
                return TypeRef.Bool;
            case "array":
                var element = schema["items"] is JsonObject items ? Resolve(items, contextName + "Item") : TypeRef.Json;
                return new TypeRef($"global::System.Collections.Generic.IList<{element.Name}>", false, TypeKind.List, element);
        }

        if (schema["properties"] is JsonObject)
        {
            return DefineObject(UniqueName(contextName), schema);
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            var value = Resolve(additional, contextName + "Value");
            return new TypeRef($"global::System.Collections.Generic.IDictionary<string, {value.Name}>", false, TypeKind.Map, value);
        }

        return TypeRef.Json;
    }

    private TypeRef ResolveNamed(string schemaName)
    {
        if (_schemaTypes.TryGetValue(schemaName, out var known))
        {
            return known;
        }

        var schema = _schemas[schemaName]!.AsObject();
        var csName = Naming.Type(schemaName);
        var isObject = schema["properties"] is not null || schema["allOf"] is not null
            || (schema["type"]?.GetValue<string>() == "object" && schema["additionalProperties"] is null && schema["oneOf"] is null);
        if (isObject && schema["oneOf"] is null && schema["anyOf"] is null)
        {
            var placeholder = new TypeRef(csName, false, TypeKind.Model);
            _schemaTypes[schemaName] = placeholder;
            return DefineObject(csName, schema);
        }

        if (schema["type"]?.GetValue<string>() == "string" && schema["enum"] is JsonArray values)
        {
            var enumType = DefineEnum(csName, values, Text(schema["description"]));
            _schemaTypes[schemaName] = enumType;
            return enumType;
        }

        var resolved = Resolve(schema, csName);
        _schemaTypes[schemaName] = resolved;
        return resolved;
    }

    /// <summary>A name for an inline schema that collides neither with a defined model nor with a named schema.</summary>
    private string UniqueName(string name)
    {
        var candidate = name;
        for (var i = 2; _models.ContainsKey(candidate) || _reservedNames.Contains(candidate); i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private TypeRef DefineObject(string name, JsonObject schema)
    {
        var typeRef = new TypeRef(name, false, TypeKind.Model);
        if (_models.ContainsKey(name))
        {
            return typeRef;
        }

        var model = new ModelDefinition { Name = name, Description = Text(schema["description"]) };
        _models[name] = model;

        var properties = new List<(string Wire, JsonObject Schema)>();
        var required = new HashSet<string>(StringComparer.Ordinal);
        string? description = null;
        CollectProperties(schema, properties, required, ref description);
        if (model.Description is null && description is not null)
        {
            _models[name] = model = new ModelDefinition { Name = name, Description = description };
        }

        foreach (var (wire, propertySchema) in properties)
        {
            var csName = Naming.Type(wire);
            if (csName == name)
            {
                csName += "Value";
            }

            var type = Resolve(propertySchema, name + Naming.Type(wire));
            var isRequired = required.Contains(wire);
            var nullable = propertySchema["nullable"]?.GetValue<bool>() ?? false;
            model.Properties.Add(new PropertyDefinition(wire, csName, type, isRequired, nullable || !isRequired, Text(propertySchema["description"])));
        }

        return typeRef;
    }

    private void CollectProperties(JsonObject schema, List<(string, JsonObject)> properties, HashSet<string> required, ref string? description)
    {
        if (schema["$ref"] is JsonNode reference)
        {
            schema = _schemas[reference.GetValue<string>().Split('/')[^1]]!.AsObject();
        }

        description ??= Text(schema["description"]);
        if (schema["allOf"] is JsonArray allOf)
        {
            foreach (var part in allOf)
            {
                CollectProperties(part!.AsObject(), properties, required, ref description);
            }
        }

        if (schema["properties"] is JsonObject own)
        {
            foreach (var (wire, node) in own)
            {
                var index = properties.FindIndex(p => p.Item1 == wire);
                if (index >= 0)
                {
                    properties[index] = (wire, node!.AsObject());
                }
                else
                {
                    properties.Add((wire, node!.AsObject()));
                }
            }
        }

        foreach (var r in schema["required"]?.AsArray() ?? [])
        {
            required.Add(r!.GetValue<string>());
        }
    }

    private TypeRef DefineEnum(string name, JsonArray values, string? description)
    {
        if (!_models.ContainsKey(name))
        {
            _models[name] = new ModelDefinition
            {
                Name = name,
                Description = description,
                EnumValues = [.. values.Select(v => v!.GetValue<string>())],
            };
        }

        return new TypeRef(name, true, TypeKind.Enum);
    }

    /// <summary>Text from the definition, escaped for XML documentation.</summary>
    private static string? Text(JsonNode? node)
    {
        var text = node?.GetValue<string>()?.Trim();
        return string.IsNullOrEmpty(text) ? null : Naming.Escape(text);
    }
}
