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
    }

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

        // The pipeline streams successful bodies; this read gets the same bound as one attempt.
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        readTimeout.CancelAfter(Options.AttemptTimeout);
        TResponse? value;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(readTimeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                value = await JsonSerializer.DeserializeAsync(stream, responseType, readTimeout.Token).ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            throw NeonApiErrorFactory.MalformedResponse(response, ex);
        }
        catch (OperationCanceledException ex) when (readTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw NeonApiErrorFactory.BodyReadFailed(response, ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw NeonApiErrorFactory.BodyReadFailed(response, ex);
        }

        return value ?? throw NeonApiErrorFactory.MalformedResponse(response, null);
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
            throw await NeonApiErrorFactory.CreateAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }
}
