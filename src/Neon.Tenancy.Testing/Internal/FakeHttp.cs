using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>A request as the handlers see it: the path below <c>/api/v2/</c>, route parameters, query, body.</summary>
internal sealed class FakeRequest
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyDictionary<string, string[]> Query { get; init; }

    public required string? Body { get; init; }

    public required string RequestId { get; init; }

    public Dictionary<string, string> RouteValues { get; } = new(StringComparer.Ordinal);

    public string Route(string name) => RouteValues[name];

    public string? QueryValue(string name) =>
        Query.TryGetValue(name, out var values) && values.Length > 0 ? values[0] : null;

    /// <summary>Repeated parameters and comma-separated lists, both as the API accepts them.</summary>
    public string[] QueryValues(string name) =>
        Query.TryGetValue(name, out var values)
            ? [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))]
            : [];
}

/// <summary>An answer: status, JSON body, extra headers.</summary>
internal sealed class FakeResponse
{
    public required int StatusCode { get; init; }

    public byte[]? Body { get; init; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public static FakeResponse Json<T>(int statusCode, T value, JsonTypeInfo<T> typeInfo) =>
        new() { StatusCode = statusCode, Body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo) };

    /// <summary>Neon's error body: <c>{ code, message, request_id }</c>.</summary>
    public static FakeResponse Error(int statusCode, string code, string message, string requestId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteString("request_id", requestId);
            writer.WriteEndObject();
        }

        return new FakeResponse { StatusCode = statusCode, Body = buffer.ToArray() };
    }

    public override string ToString() =>
        StatusCode.ToString(CultureInfo.InvariantCulture) + " " + (Body is null ? "" : Encoding.UTF8.GetString(Body));
}

/// <summary>An error a handler raises; becomes Neon's error body.</summary>
internal sealed class FakeApiException(int statusCode, string message, string code = "") : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;
}

/// <summary>Routes <c>METHOD path</c> to a handler by path templates such as <c>projects/{project_id}</c>.</summary>
internal sealed class FakeRouter
{
    private readonly List<(string Method, string Template, string[] Segments, Func<FakeRequest, Task<FakeResponse>> Handler)> _routes = [];

    public void Map(string method, string template, Func<FakeRequest, Task<FakeResponse>> handler) =>
        _routes.Add((method, template, template.Split('/'), handler));

    public void Map(string method, string template, Func<FakeRequest, FakeResponse> handler) =>
        Map(method, template, request => Task.FromResult(handler(request)));

    /// <summary>Finds the route; fills <see cref="FakeRequest.RouteValues"/>. <paramref name="pathExists"/> tells 405 from 404.</summary>
    public (string Template, Func<FakeRequest, Task<FakeResponse>> Handler)? Match(FakeRequest request, out bool pathExists)
    {
        pathExists = false;
        var segments = request.Path.Split('/');
        foreach (var route in _routes)
        {
            if (route.Segments.Length != segments.Length)
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var ok = true;
            for (var i = 0; i < segments.Length && ok; i++)
            {
                var part = route.Segments[i];
                if (part.StartsWith('{'))
                {
                    var value = Uri.UnescapeDataString(segments[i]);
                    ok = value.Length > 0;
                    values[part[1..^1]] = value;
                }
                else
                {
                    ok = string.Equals(part, segments[i], StringComparison.Ordinal);
                }
            }

            if (!ok)
            {
                continue;
            }

            pathExists = true;
            if (string.Equals(route.Method, request.Method, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var pair in values)
                {
                    request.RouteValues[pair.Key] = pair.Value;
                }

                return (route.Template, route.Handler);
            }
        }

        return null;
    }
}
