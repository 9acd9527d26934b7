using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Neon.Tenancy;

namespace Neon.Tenancy.Samples.Tests;

/// <summary>
/// A minimal API binds <see cref="TenantId"/> from route and query values (it is <see cref="ISpanParsable{TSelf}"/>):
/// a valid id reaches the handler, an invalid one is a 400 that never reaches it.
/// </summary>
public sealed class TenantIdRouteBindingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private int _handled;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        _app = builder.Build();
        _app.MapGet("/{tenant}", (TenantId tenant) =>
        {
            Interlocked.Increment(ref _handled);
            return "route:" + tenant.Value;
        });
        _app.MapGet("/query/", (TenantId tenant) =>
        {
            Interlocked.Increment(ref _handled);
            return "query:" + tenant.Value;
        });
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Route_ValidTenantId_BindsIt()
    {
        Assert.Equal("route:acme-corp", await _client.GetStringAsync("/acme-corp"));
        Assert.Equal("query:acme-corp", await _client.GetStringAsync("/query/?tenant=acme-corp"));
        Assert.Equal(2, Volatile.Read(ref _handled));
    }

    [Theory]
    [InlineData("/Acme")]
    [InlineData("/ac--me")]
    [InlineData("/acme_corp")]
    [InlineData("/-acme")]
    [InlineData("/query/?tenant=ACME")]
    [InlineData("/query/?tenant=acme%27%3B%20drop")]
    public async Task Route_InvalidTenantId_Is400AndNeverReachesTheHandler(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _handled));
    }

    [Fact]
    public async Task Route_TooLongTenantId_Is400()
    {
        using var response = await _client.GetAsync("/" + new string('a', TenantId.MaxLength + 1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _handled));
    }
}
