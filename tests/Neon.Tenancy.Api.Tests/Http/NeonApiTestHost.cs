using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using System.Globalization;
using WireMock.Server;

namespace Neon.Tenancy.Api.Tests.Http;

/// <summary>
/// A WireMock server plus a service provider built with <c>AddNeonApiClient</c> pointed at it, with fake logging at
/// Trace level and fast retry delays (no jitter).
/// </summary>
internal sealed class NeonApiTestHost : IDisposable
{
    /// <summary>A realistic-looking key: any trace of it in logs or messages is a leak.</summary>
    public const string ApiKey = "napi_k3y5ecretQ8v2ZxY7mW1pL0sT9uR4nB6cD3eF5gH7jK2mN4pQ6rS8tU0vW1x";

    private GatedHandler? _gate;
    private ObservedTimeProvider? _time;

    private NeonApiTestHost(WireMockServer server, ServiceProvider services)
    {
        Server = server;
        Services = services;
        Client = services.GetRequiredService<IHttpClientFactory>().CreateClient(NeonApiClient.HttpClientName);
    }

    public WireMockServer Server { get; }

    /// <summary>Gets the in-memory network of a host made by <see cref="CreateGated"/>.</summary>
    public GatedHandler Gate => _gate ?? throw new InvalidOperationException("Not a gated host: use NeonApiTestHost.CreateGated.");

    /// <summary>Gets the clock of a host made by <see cref="CreateGated"/>.</summary>
    public ObservedTimeProvider Time => _time ?? throw new InvalidOperationException("Not a gated host: use NeonApiTestHost.CreateGated.");

    public ServiceProvider Services { get; }

    public HttpClient Client { get; }

    /// <summary>The generated client, on the same pipeline.</summary>
    public NeonApiClient ApiClient => Services.GetRequiredService<NeonApiClient>();

    /// <summary>A file of the Fixtures folder.</summary>
    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public int RequestCount => Server.LogEntries.Count();

    public static NeonApiTestHost Create(
        Action<NeonApiOptions>? configure = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? services = null,
        HttpMessageHandler? primaryHandler = null)
    {
        var server = WireMockServer.Start();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        if (timeProvider is not null)
        {
            collection.AddSingleton(timeProvider);
        }

        services?.Invoke(collection);
        collection.AddNeonApiClient(options =>
        {
            options.ApiKey = ApiKey;
            options.BaseAddress = new Uri(server.Url!);
            options.Timeout = TimeSpan.FromSeconds(10);
            options.AttemptTimeout = TimeSpan.FromSeconds(5);
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
            options.Retry.UseJitter = false;
            options.OperationPollInterval = TimeSpan.FromMilliseconds(10);
            configure?.Invoke(options);
        });
        if (primaryHandler is not null)
        {
            // In place of the network (after AddNeonApiClient, whose own primary handler it replaces): a test-controlled server.
            collection.AddHttpClient(NeonApiClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new NeonApiTestHost(server, provider);
    }

    /// <summary>
    /// A host whose network is a <see cref="GatedHandler"/> the test answers and whose clock is an
    /// <see cref="ObservedTimeProvider"/> the test moves: for retry, deadline and expiry tests. Client-side rate limits
    /// are off (their own tests turn them on).
    /// </summary>
    public static NeonApiTestHost CreateGated(Action<NeonApiOptions>? configure = null)
    {
        var time = new ObservedTimeProvider();
        var gate = new GatedHandler(time);
        var host = Create(
            o =>
            {
                o.RateLimit.Enabled = false;
                configure?.Invoke(o);
            },
            time,
            primaryHandler: gate);
        host._gate = gate;
        host._time = time;
        return host;
    }

    /// <summary>On a gated host: answers the next request with <paramref name="status"/>, then moves the clock through the retry delay once it is armed.</summary>
    public async Task<GatedRequest> AnswerThenWaitOutBackoffAsync(HttpStatusCode status, TimeSpan backoff)
    {
        var request = await Gate.RespondNextAsync(status);
        await Time.AdvanceWhenArmedAsync(backoff);
        return request;
    }

    /// <summary>On a gated host: drops the next request's connection, then moves the clock through the retry delay once it is armed.</summary>
    public async Task DropThenWaitOutBackoffAsync(TimeSpan backoff)
    {
        (await Gate.NextAsync()).Drop();
        await Time.AdvanceWhenArmedAsync(backoff);
    }

    /// <summary>Answers requests to <paramref name="path"/> with each response once, in order, within one call
    /// (WireMock restarts the scenario once its last state has answered, so use one path per call).</summary>
    public void RespondInSequence(string path, params IResponseBuilder[] responses)
    {
        for (var i = 0; i < responses.Length; i++)
        {
            // Later states get higher priority (lower number) so the start mapping only answers the first request.
            var mapping = Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(path))
                .AtPriority(responses.Length - i)
                .InScenario(path);
            if (i > 0)
            {
                mapping = mapping.WhenStateIs(i.ToString(CultureInfo.InvariantCulture));
            }

            if (i < responses.Length - 1)
            {
                mapping = mapping.WillSetStateTo((i + 1).ToString(CultureInfo.InvariantCulture));
            }

            mapping.RespondWith(responses[i]);
        }
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? route = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (route is not null)
        {
            request.Options.Set(NeonRequestOptions.RouteTemplate, route);
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? route = null, CancellationToken cancellationToken = default) =>
        Client.SendAsync(Request(method, path, route), cancellationToken);

    public void Dispose()
    {
        Client.Dispose();
        Services.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}
