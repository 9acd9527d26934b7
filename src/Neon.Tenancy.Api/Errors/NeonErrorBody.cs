using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neon.Tenancy.Api;

/// <summary>Neon's error body: <c>{ "code": "...", "message": "...", "request_id": "..." }</c>.</summary>
internal sealed record NeonErrorBody(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("request_id")] string? RequestId)
{
    /// <summary>Largest body that is parsed; error bodies are small, anything bigger is not Neon's error shape.</summary>
    internal const int MaxBodyBytes = 64 * 1024;

    /// <summary>Parses an error body; returns <see langword="null"/> for empty, malformed or non-JSON content.</summary>
    internal static NeonErrorBody? TryParse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty || utf8Json.Length > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(utf8Json, NeonErrorJsonContext.Default.NeonErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads (and buffers) the response body and parses it; never throws for bad content.</summary>
    internal static async Task<NeonErrorBody?> ReadAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null || content.Headers.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return TryParse(bytes);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated (reflection-free) serialization of <see cref="NeonErrorBody"/>.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(NeonErrorBody))]
internal sealed partial class NeonErrorJsonContext : JsonSerializerContext
{
}
