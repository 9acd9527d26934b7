using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neon.Tenancy.Api;

/// <summary>An extensible string enumeration of the API: any wire value is representable.</summary>
internal interface INeonEnum<TSelf> where TSelf : struct, INeonEnum<TSelf>
{
    string Value { get; }

    static abstract TSelf FromValue(string value);
}

/// <summary>
/// Reads and writes an extensible enumeration as its wire string. Values this version does not know deserialize
/// as they are (Neon adds operation actions over time), so a newer API never breaks an older client.
/// </summary>
internal sealed class NeonEnumJsonConverter<T> : JsonConverter<T> where T : struct, INeonEnum<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? T.FromValue(reader.GetString()!)
            : throw new JsonException($"Expected a string for {typeof(T).Name}, got {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
