namespace Neon.Tenancy.Api.Generator;

// The model the generator builds from the definition: operations, their parameters, and the C# types of schemas.

/// <summary>One operation of the API, as a method of the client of its <see cref="Group"/>.</summary>
internal sealed record OperationModel(
    string Group,
    string Method,
    string Path,
    string OperationId,
    string? Summary,
    string? Description,
    IReadOnlyList<ParameterModel> Parameters,
    TypeRef? Body,
    bool BodyRequired,
    string? BodyDescription,
    TypeRef? Response,
    bool Deprecated);

/// <summary>A path or query parameter of an operation.</summary>
internal sealed record ParameterModel(string WireName, string Location, TypeRef Type, bool Required, string? Description)
{
    public string CsName => Naming.Identifier(Naming.Camel(WireName));
}

/// <summary>A C# type for a schema.</summary>
internal sealed record TypeRef(string Name, bool IsValueType, TypeKind Kind, TypeRef? Element = null)
{
    public static readonly TypeRef String = new("string", false, TypeKind.String);
    public static readonly TypeRef Long = new("long", true, TypeKind.Number);
    public static readonly TypeRef Int = new("int", true, TypeKind.Number);
    public static readonly TypeRef Double = new("double", true, TypeKind.Number);
    public static readonly TypeRef Bool = new("bool", true, TypeKind.Bool);
    public static readonly TypeRef DateTime = new("global::System.DateTimeOffset", true, TypeKind.DateTime);
    public static readonly TypeRef Json = new("global::System.Text.Json.JsonElement", true, TypeKind.Json);
}

/// <summary>What a <see cref="TypeRef"/> is, for emitting initializers, serializer names and query values.</summary>
internal enum TypeKind { String, Number, Bool, DateTime, Json, Enum, Model, List, Map }

/// <summary>A model (properties) or, with <see cref="EnumValues"/>, an extensible string enum.</summary>
internal sealed class ModelDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public List<PropertyDefinition> Properties { get; } = [];
    public List<string>? EnumValues { get; init; }
}

/// <summary>A property of a model.</summary>
internal sealed record PropertyDefinition(string WireName, string CsName, TypeRef Type, bool Required, bool Nullable, string? Description);
