using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Benchmarks;

/// <summary>
/// One <c>GET projects/{project_id}</c> through the whole Neon.Tenancy.Api pipeline (authentication and request-id
/// headers, rate limiter, retry/deadline handler, logging scope, source-generated deserialization) against the same
/// call a user would otherwise write: a bare <see cref="HttpClient"/> plus <see cref="JsonSerializer"/>. Both run
/// on an in-memory handler that answers a realistic project body, so the network is not measured.
/// </summary>
[MemoryDiagnoser]
public class ApiCallBenchmarks
{
    private static readonly Uri BaseAddress = new("https://console.neon.test/api/v2/");
    private ServiceProvider _services = null!;
    private NeonApiClient _client = null!;
    private HttpClient _bare = null!;

    [GlobalSetup]
    public void Setup()
    {
        var body = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "get-project-200.json"));
        var services = new ServiceCollection();
        services.AddNeonApiClient(o =>
            {
                o.ApiKey = "bench-key";
                o.BaseAddress = BaseAddress;
                // The limiter stays on (its cost is part of the pipeline) with a budget the benchmark cannot exhaust.
                o.RateLimit.RequestsPerMinute = 100_000_000;
                o.RateLimit.RequestsPerSecondPerRoute = 10_000_000;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new CannedHandler(body));
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<NeonApiClient>();
        _bare = new HttpClient(new CannedHandler(body)) { BaseAddress = BaseAddress };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpClient + JsonSerializer")]
    public async Task<string> BareHttpClient()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "projects/shiny-wind-028834");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bench-key");
        using var response = await _bare.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var project = await JsonSerializer.DeserializeAsync(stream, NeonApiJsonContext.Default.ProjectResponse);
        return project!.Project.Id;
    }

    [Benchmark(Description = "NeonApiClient.Projects.GetProjectAsync")]
    public async Task<string> NeonApiClientCall() => (await _client.Projects.GetProjectAsync("shiny-wind-028834")).Project.Id;

    private sealed class CannedHandler(byte[] body) : HttpMessageHandler
    {
        private static readonly MediaTypeHeaderValue Json = new("application/json");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
