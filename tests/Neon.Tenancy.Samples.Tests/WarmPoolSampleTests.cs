using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Neon.Tenancy.Samples.AspNetCore;

namespace Neon.Tenancy.Samples.Tests;

/// <summary>The sample's sign-up with the warm pool of its appsettings.json (NeonTenancy:WarmPool:Size 2), and without.</summary>
public sealed class WarmPoolSampleTests
{
    [Fact]
    public async Task SignUp_PoolFilled_ClaimsFromThePool_DepthDownByOne_TenantReadyAndUsable()
    {
        // The hosted replenisher's first pass (a second after start) fills the pool; the next one is an hour away, so the
        // depth after the sign-up is the claim's doing.
        await using var app = new SampleApp { Settings = { ["NeonTenancy:WarmPool:ReplenishInterval"] = "01:00:00" } };
        using var client = app.CreateClient();
        var full = await WaitForFullPoolAsync(client);
        Assert.Equal(2, full.Sum(p => p.TargetSize));

        var response = await client.PostAsync("/tenants/pooled-acme", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<TenantCreated>())!;
        Assert.Equal(("pooled-acme", "Ready", "claimed", true), (created.TenantId, created.State, created.Outcome, created.FromPool));
        Assert.True(created.ElapsedMs > 0);
        var after = (await client.GetFromJsonAsync<WarmPoolStatus[]>("/pool"))!;
        Assert.Equal(full.Sum(p => p.Ready) - 1, after.Sum(p => p.Ready));
        Assert.Equal(0, after.Sum(p => p.Pending));

        // The claimed database already has the sample's tables (SampleSchema ran when the pool made it) and is the tenant's.
        using var tenant = app.CreateClient();
        tenant.DefaultRequestHeaders.Add("X-Tenant-Id", "pooled-acme");
        (await tenant.PostAsJsonAsync("/notes", new NewNote("first note"))).EnsureSuccessStatusCode();
        (await tenant.PostAsJsonAsync("/todos", new NewTodo("first todo"))).EnsureSuccessStatusCode();
        Assert.Equal(["first note"], (await tenant.GetFromJsonAsync<Note[]>("/notes"))!.Select(n => n.Body));
        Assert.Equal(["first todo"], (await tenant.GetFromJsonAsync<Todo[]>("/todos"))!.Select(t => t.Title));

        // Signing up again is a no-op: nothing provisioned, nothing claimed.
        var again = (await (await client.PostAsync("/tenants/pooled-acme", null)).Content.ReadFromJsonAsync<TenantCreated>())!;
        Assert.Equal(("existing", false), (again.Outcome, again.FromPool));
        Assert.Equal(after.Sum(p => p.Ready), (await client.GetFromJsonAsync<WarmPoolStatus[]>("/pool"))!.Sum(p => p.Ready));
    }

    [Fact]
    public async Task SignUp_PoolOff_CreatesTheProject_NoPools()
    {
        await using var app = new SampleApp { Settings = { ["NeonTenancy:WarmPool:Size"] = "0" } };
        using var client = app.CreateClient();

        var response = await client.PostAsync("/tenants/cold-acme", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<TenantCreated>())!;
        Assert.Equal(("Ready", "created", false), (created.State, created.Outcome, created.FromPool));
        Assert.Empty((await client.GetFromJsonAsync<WarmPoolStatus[]>("/pool"))!);
        using var tenant = app.CreateClient();
        tenant.DefaultRequestHeaders.Add("X-Tenant-Id", "cold-acme");
        (await tenant.PostAsJsonAsync("/notes", new NewNote("cold note"))).EnsureSuccessStatusCode();
    }

    /// <summary>Waits (at most a minute) until GET /pool shows every pool at its size: the hosted replenisher's first pass.</summary>
    private static async Task<WarmPoolStatus[]> WaitForFullPoolAsync(HttpClient client)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var pools = (await client.GetFromJsonAsync<WarmPoolStatus[]>("/pool"))!;
            if (pools.Length > 0 && pools.All(p => p.Ready == p.TargetSize))
            {
                return pools;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), $"The pool is not full after {waited.Elapsed}: {string.Join("; ", pools.Select(p => p.ToString()))}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
