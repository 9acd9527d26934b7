using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy.Api;

/// <summary>
/// The Neon API v2, one property per tag (<see cref="Projects"/>, <see cref="Branches"/>, <see cref="Endpoints"/>, ...),
/// every operation generated from Neon's OpenAPI definition. Rate limiting, retries, the per-call deadline,
/// authentication and telemetry live in the HTTP pipeline that <c>AddNeonApiClient()</c> registers; this class turns
/// calls into requests and responses into models or typed <see cref="NeonApiException"/>s.
/// </summary>
/// <remarks>Thread-safe; register and use it as a singleton.</remarks>
public sealed partial class NeonApiClient
{
    /// <summary>The name of the <see cref="HttpClient"/> this client is built on in <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Neon.Tenancy.Api";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _httpClient;
    private readonly IOptionsMonitor<NeonApiOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly NeonApiKeyHistory _keys;

    /// <summary>Creates a client on an <see cref="HttpClient"/> that carries the Neon pipeline.</summary>
    /// <param name="httpClient">The HTTP client; its base address is the API root (<c>https://console.neon.tech/api/v2/</c>).</param>
    /// <param name="options">The API options (operation polling defaults).</param>
    /// <param name="timeProvider">The clock for operation polling; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="options"/> is null.</exception>
    public NeonApiClient(HttpClient httpClient, IOptionsMonitor<NeonApiOptions> options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _httpClient = httpClient;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;

        // The keys are removed from every message built from an answer, whatever their shape; the history follows
        // rotations through the monitor for the lifetime of the client (a singleton).
        _keys = new NeonApiKeyHistory(options);
    }

    internal IReadOnlyList<string> KnownApiKeys => _keys.Snapshot();

    internal NeonApiOptions Options => _options.CurrentValue;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>Serializes a request body once, to bytes, so that the retry pipeline can resend it.</summary>
    internal static ByteArrayContent JsonContent<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    internal async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string routeTemplate, string operationId, string requestUri,
        HttpContent? content, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, routeTemplate, operationId, requestUri, content, cancellationToken).ConfigureAwait(false);
        return await NeonResponseReader.ReadAsync(response, responseType, Options.AttemptTimeout, _timeProvider, _keys.Snapshot(), cancellationToken).ConfigureAwait(false);
    }

    internal async Task SendAsync(HttpMethod method, string routeTemplate, string operationId, string requestUri,
        HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, routeTemplate, operationId, requestUri, content, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string routeTemplate, string operationId, string requestUri,
        HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(requestUri, UriKind.Relative)) { Content = content };
        request.Options.Set(NeonRequestOptions.RouteTemplate, routeTemplate);
        request.Options.Set(NeonRequestOptions.OperationId, operationId);
        var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await NeonApiErrorFactory.CreateAsync(response, TimeProvider.System, _keys.Snapshot(), cancellationToken).ConfigureAwait(false);
        }
    }
}
