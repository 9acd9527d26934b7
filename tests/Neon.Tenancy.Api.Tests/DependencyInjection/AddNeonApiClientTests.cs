using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Neon.Tenancy.Api.Tests.DependencyInjection;

public sealed class AddNeonApiClientTests
{
    private const string Key = "napi_validationK3yValue0123456789abcdefghijklmnopqrstuv";

    private static async Task<OptionsValidationException> StartWithAsync(Action<NeonApiOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddNeonApiClient(o =>
        {
            o.ApiKey = Key;
            configure(o);
        });
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    public static TheoryData<string, string> InvalidSettings => new()
    {
        { "missing key", "NeonApiOptions.ApiKey is required" },
        { "key with newline", "NeonApiOptions.ApiKey must not contain whitespace" },
        { "relative base address", "NeonApiOptions.BaseAddress must be an absolute http or https URI" },
        { "ftp base address", "NeonApiOptions.BaseAddress must be an absolute http or https URI" },
        { "negative timeout", "NeonApiOptions.Timeout must be between 00:00:00.0010000 and 1.00:00:00." },
        { "timeout above a day", "NeonApiOptions.Timeout must be between" },
        { "operation timeout above a day", "NeonApiOptions.OperationTimeout must be between" },
        { "negative base delay", "NeonApiOptions.Retry.BaseDelay must be between 00:00:00 and 01:00:00." },
        { "max delay above an hour", "NeonApiOptions.Retry.MaxDelay must be between" },
        { "zero route budget", "NeonApiOptions.RateLimit.RequestsPerSecondPerRoute must be between 1 and 2147483647." },
        { "negative queue limit", "NeonApiOptions.RateLimit.QueueLimit must be between" },
        { "missing retry settings", "NeonApiOptions.Retry is required" },
        { "zero attempt timeout", "NeonApiOptions.AttemptTimeout must be between" },
        { "attempt longer than deadline", "NeonApiOptions.AttemptTimeout must not be longer than NeonApiOptions.Timeout" },
        { "base delay above max delay", "NeonApiOptions.Retry.BaseDelay must not be longer than NeonApiOptions.Retry.MaxDelay" },
        { "negative retries", "NeonApiOptions.Retry.MaxRetryAttempts must be between" },
        { "zero per-minute budget", "NeonApiOptions.RateLimit.RequestsPerMinute must be between" },
        { "zero burst size", "NeonApiOptions.RateLimit.BurstSize must be between" },
        { "negative poll interval", "NeonApiOptions.OperationPollInterval must be between" },
        { "poll longer than operation timeout", "NeonApiOptions.OperationPollInterval must not be longer than NeonApiOptions.OperationTimeout" },
    };

    private static void Apply(string setting, NeonApiOptions o)
    {
        switch (setting)
        {
            case "missing key": o.ApiKey = string.Empty; break;
            case "key with newline": o.ApiKey = Key + "\n"; break;
            case "relative base address": o.BaseAddress = new Uri("api/v2", UriKind.Relative); break;
            case "ftp base address": o.BaseAddress = new Uri("ftp://console.neon.tech/api/v2/"); break;
            case "negative timeout": o.Timeout = TimeSpan.FromSeconds(-1); break;
            case "timeout above a day": o.Timeout = TimeSpan.FromDays(2); break;
            case "operation timeout above a day": o.OperationTimeout = TimeSpan.FromDays(2); break;
            case "negative base delay": o.Retry.BaseDelay = TimeSpan.FromSeconds(-1); break;
            case "max delay above an hour": o.Retry.MaxDelay = TimeSpan.FromHours(2); break;
            case "zero route budget": o.RateLimit.RequestsPerSecondPerRoute = 0; break;
            case "negative queue limit": o.RateLimit.QueueLimit = -1; break;
            case "missing retry settings": o.Retry = null!; break;
            case "zero attempt timeout": o.AttemptTimeout = TimeSpan.Zero; break;
            case "attempt longer than deadline": o.Timeout = TimeSpan.FromSeconds(10); o.AttemptTimeout = TimeSpan.FromSeconds(20); break;
            case "base delay above max delay": o.Retry.BaseDelay = TimeSpan.FromSeconds(10); o.Retry.MaxDelay = TimeSpan.FromSeconds(1); break;
            case "negative retries": o.Retry.MaxRetryAttempts = -1; break;
            case "zero per-minute budget": o.RateLimit.RequestsPerMinute = 0; break;
            case "zero burst size": o.RateLimit.BurstSize = 0; break;
            case "negative poll interval": o.OperationPollInterval = TimeSpan.FromSeconds(-1); break;
            case "poll longer than operation timeout": o.OperationTimeout = TimeSpan.FromSeconds(5); o.OperationPollInterval = TimeSpan.FromSeconds(10); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting));
        }
    }

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task StartAsync_InvalidSetting_ThrowsOptionsValidationExceptionNamingIt(string setting, string expected)
    {
        var ex = await StartWithAsync(o => Apply(setting, o));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ValidOptions_StartsAndNormalizesBaseAddress()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddNeonApiClient(o =>
        {
            o.ApiKey = Key;
            o.BaseAddress = new Uri("https://neon.example.com/api/v2");
        });
        using var host = builder.Build();

        await host.StartAsync();
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(NeonApiClient.HttpClientName);
        await host.StopAsync();

        Assert.Equal(new Uri("https://neon.example.com/api/v2/"), client.BaseAddress);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddNeonApiClient_TimeProviderAlreadyRegistered_KeepsIt()
    {
        var fake = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(fake);

        services.AddNeonApiClient(o => o.ApiKey = Key);
        using var provider = services.BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddNeonApiClient_CalledTwice_RegistersOnePipelineAndBothConfigurations()
    {
        using var host = NeonApiTestHost.Create(
            o => o.Retry.MaxRetryAttempts = 1,
            services: s => s.AddNeonApiClient(o => o.OrgId = "org-1"));
        host.Server.Given(Request.Create()).RespondWith(Response.Create().WithStatusCode(503));

        using var response = await host.SendAsync(HttpMethod.Get, "projects", "projects");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, host.RequestCount); // one handler: 1 attempt + 1 retry (two handlers would make 4)
        Assert.Equal("org-1", host.Services.GetRequiredService<IOptions<NeonApiOptions>>().Value.OrgId);
        Assert.Single(host.Services.GetServices<NeonRateLimiter>());
    }

    [Fact]
    public void ToString_WithApiKey_DoesNotShowKey()
    {
        var options = new NeonApiOptions { ApiKey = Key, OrgId = "org-1" };

        var text = options.ToString();

        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("ApiKey = ***", text, StringComparison.Ordinal);
        Assert.Contains("org-1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new NeonApiOptions();

        Assert.Equal(new Uri("https://console.neon.tech/api/v2/"), options.BaseAddress);
        Assert.Equal(TimeSpan.FromSeconds(100), options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.AttemptTimeout);
        Assert.Equal(5, options.Retry.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Retry.MaxDelay);
        Assert.True(options.Retry.UseJitter);
        Assert.True(options.RateLimit.Enabled);
        Assert.Equal(700, options.RateLimit.RequestsPerMinute);
        Assert.Equal(40, options.RateLimit.RequestsPerSecondPerRoute);
        Assert.Equal(30, options.RateLimit.ConsumptionRequestsPerMinute);
        Assert.Equal(10_000, options.RateLimit.QueueLimit);
        Assert.Equal(10, options.RateLimit.BurstSize);
        Assert.Equal(TimeSpan.FromSeconds(1), options.OperationPollInterval);
        Assert.Equal(TimeSpan.FromMinutes(10), options.OperationTimeout);
    }
}
