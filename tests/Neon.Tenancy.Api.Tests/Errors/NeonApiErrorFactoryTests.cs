namespace Neon.Tenancy.Api.Tests.Errors;

/// <summary>Each mapping over real HTTP: WireMock answers, the runtime returns the final response, the factory maps it.</summary>
public sealed class NeonApiErrorFactoryTests
{
    private static async Task<NeonApiException> FailAsync(int status, string? body, Action<IResponseBuilder>? response = null, HttpMethod? method = null)
    {
        // No retries, so 423/429/5xx come back at once.
        using var host = NeonApiTestHost.Create(o => o.Retry.MaxRetryAttempts = 0);
        var builder = Response.Create().WithStatusCode(status);
        if (body is not null)
        {
            builder = builder.WithBody(body);
        }

        response?.Invoke(builder);
        host.Server.Given(Request.Create()).RespondWith(builder);

        using var answer = await host.SendAsync(method ?? HttpMethod.Get, "projects/p1", "projects/{project_id}");
        Assert.Equal(status, (int)answer.StatusCode);
        var error = await NeonApiErrorFactory.CreateAsync(answer, CancellationToken.None);
        Assert.DoesNotContain(NeonApiTestHost.ApiKey, error.ToString(), StringComparison.Ordinal);
        return error;
    }

    private static string Body(string code, string message) =>
        $$"""{"code":"{{code}}","message":"{{message}}","request_id":"req-{{code}}"}""";

    [Fact]
    public async Task CreateAsync_404_ReturnsNotFoundWithRequestIdAndMessage()
    {
        var error = await FailAsync(404, Body("NOT_FOUND", "project not found"));

        var notFound = Assert.IsType<NeonNotFoundException>(error);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("NOT_FOUND", notFound.ErrorCode);
        Assert.Equal("req-NOT_FOUND", notFound.RequestId);
        Assert.False(notFound.IsTransient);
        Assert.Equal("Neon API GET projects/{project_id} failed with 404 (NOT_FOUND): project not found [request id req-NOT_FOUND]", notFound.Message);
    }

    [Fact]
    public async Task CreateAsync_423RunningOperations_ReturnsTransientLocked()
    {
        var error = await FailAsync(423, Body("LOCKED", "project already has running operations"), r => r.WithHeader("Retry-After", "2"));

        var locked = Assert.IsType<NeonLockedException>(error);
        Assert.True(locked.IsTransient);
        Assert.False(locked.IsQuotaExceeded);
        Assert.Equal(TimeSpan.FromSeconds(2), locked.RetryAfter);
        Assert.Equal("req-LOCKED", locked.RequestId);
    }

    [Fact]
    public async Task CreateAsync_423FromQuota_ReturnsLockedNotTransient()
    {
        var error = await FailAsync(423, Body("LOCKED", "project compute time quota exceeded"));

        var locked = Assert.IsType<NeonLockedException>(error);
        Assert.False(locked.IsTransient);
        Assert.True(locked.IsQuotaExceeded);
    }

    [Fact]
    public async Task CreateAsync_429_ReturnsRateLimitedWithRetryAfter()
    {
        var error = await FailAsync(429, Body("TOO_MANY_REQUESTS", "rate limit"), r => r.WithHeader("Retry-After", "7"));

        var limited = Assert.IsType<NeonRateLimitedException>(error);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.RetryAfter);
        Assert.True(limited.IsTransient);
        Assert.Equal("req-TOO_MANY_REQUESTS", limited.RequestId);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task CreateAsync_401Or403_ReturnsAuthorizationWithStatus(int status)
    {
        var error = await FailAsync(status, Body("UNAUTHORIZED", "authentication required"));

        var auth = Assert.IsType<NeonAuthorizationException>(error);
        Assert.Equal((HttpStatusCode)status, auth.StatusCode);
        Assert.Equal("req-UNAUTHORIZED", auth.RequestId);
        Assert.False(auth.IsTransient);
    }

    [Fact]
    public async Task CreateAsync_422LimitExceeded_ReturnsPlanLimit()
    {
        var error = await FailAsync(422, Body("PROJECTS_LIMIT_EXCEEDED", "projects limit exceeded"), method: HttpMethod.Post);

        var limit = Assert.IsType<NeonPlanLimitException>(error);
        Assert.Equal("PROJECTS_LIMIT_EXCEEDED", limit.ErrorCode);
        Assert.Equal("req-PROJECTS_LIMIT_EXCEEDED", limit.RequestId);
        Assert.StartsWith("Neon API POST projects/{project_id} failed with 422 (PROJECTS_LIMIT_EXCEEDED)", limit.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(422, "INVALID_INPUT", false)]
    [InlineData(500, "INTERNAL_ERROR", true)]
    [InlineData(502, "BAD_GATEWAY", true)]
    public async Task CreateAsync_StatusWithoutItsOwnType_ReturnsBaseExceptionWithStatusCodeAndTransience(int status, string code, bool transient)
    {
        var error = await FailAsync(status, Body(code, "it went wrong"));

        Assert.Equal(typeof(NeonApiException), error.GetType());
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal("req-" + code, error.RequestId);
    }

    [Fact]
    public async Task CreateAsync_400OrgIdRequired_ReturnsOrgIdRequired()
    {
        var error = await FailAsync(400, Body("BAD_REQUEST", "org_id is required, you can find it on your organization settings page"));

        var orgId = Assert.IsType<NeonOrgIdRequiredException>(error);
        Assert.Equal("req-BAD_REQUEST", orgId.RequestId);
        Assert.Contains("NeonApiOptions.OrgId", orgId.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"code\": 12, \"message\": [")]
    [InlineData("<html><body>Bad gateway</body></html>")]
    [InlineData("[1,2,3]")]
    public async Task CreateAsync_MalformedBody_ReturnsExceptionWithStatusAndHeaderRequestId(string body)
    {
        var error = await FailAsync(502, body, r => r.WithHeader("X-Request-ID", "from-response-header"));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Null(error.ErrorCode);
        Assert.Equal("from-response-header", error.RequestId);
        Assert.DoesNotContain("html", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CreateAsync_EmptyBody_ReturnsExceptionWithStatusAndSentRequestId()
    {
        var error = await FailAsync(404, body: null);

        var notFound = Assert.IsType<NeonNotFoundException>(error);
        Assert.True(Guid.TryParse(notFound.RequestId, out _)); // the X-Request-ID the runtime sent
        Assert.EndsWith($"[request id {notFound.RequestId}]", notFound.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_MessageWithSecrets_ScrubsThem()
    {
        var message = $"cannot connect postgresql://alex:Sup3rS3cret@ep-cool-1.neon.tech/neondb password=hunter2 key {NeonApiTestHost.ApiKey} Bearer abc.def";
        var error = await FailAsync(409, Body("CONFLICT", message));

        Assert.DoesNotContain("Sup3rS3cret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abc.def", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("napi_", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql://***@ep-cool-1.neon.tech/neondb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_RetryAfterHttpDate_IsRelativeToRuntimeClock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var host = NeonApiTestHost.Create(o => o.Retry.MaxRetryAttempts = 0, time);
        host.Server.Given(Request.Create()).RespondWith(Response.Create().WithStatusCode(429)
            .WithHeader("Retry-After", "Tue, 01 Jan 2030 00:01:00 GMT"));

        using var answer = await host.SendAsync(HttpMethod.Get, "projects", "projects");
        var error = await NeonApiErrorFactory.CreateAsync(answer, CancellationToken.None);

        Assert.Equal(TimeSpan.FromMinutes(1), error.RetryAfter);
    }

    [Fact]
    public void NeonMessageScrubber_LongControlCharacterText_IsTruncatedToOneLine()
    {
        var scrubbed = NeonMessageScrubber.Scrub("line1\r\nline2 " + new string('x', 2000));

        Assert.NotNull(scrubbed);
        Assert.DoesNotContain('\n', scrubbed);
        Assert.True(scrubbed.Length <= NeonMessageScrubber.MaxLength + 3);
    }
}
