using Microsoft.Extensions.Options;
using Neon.Tenancy.Api;
using WireMock.Server;

namespace Neon.Tenancy.Api.Tests.Client;

/// <summary>A WireMock server standing in for Neon and a client pointed at it.</summary>
internal sealed class NeonApiTestHost : IDisposable
{
    private readonly HttpClient _httpClient;

    public NeonApiTestHost(Action<NeonApiOptions>? configure = null)
    {
        Server = WireMockServer.Start();
        var options = new NeonApiOptions { OperationPollInterval = TimeSpan.FromMilliseconds(10) };
        configure?.Invoke(options);
        _httpClient = new HttpClient { BaseAddress = new Uri(Server.Url + "/api/v2/") };
        Client = new NeonApiClient(_httpClient, new FixedOptionsMonitor<NeonApiOptions>(options));
    }

    public WireMockServer Server { get; }

    public NeonApiClient Client { get; }

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public void Dispose()
    {
        _httpClient.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}

internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
