using System.Reflection;

namespace Neon.Tenancy.Api.Tests;

/// <summary>
/// The rule for exceptions of both packages (Neon.Tenancy.Api and Neon.Tenancy): every exception type they make public
/// derives from <see cref="NeonTenancyException"/>, so one <c>catch</c> handles any failure of either and
/// <see cref="NeonTenancyException.IsTransient"/> says whether to try again. The one allowed exception to the rule:
/// a type for an argument the caller got wrong derives from <see cref="ArgumentException"/>, as the BCL's do
/// (today <c>TenantIdFormatException</c>); it is a programming error, not a failure to handle.
/// </summary>
public sealed class NeonTenancyExceptionTests
{
    private static readonly Assembly[] Packages = [typeof(NeonApiClient).Assembly, typeof(TenantId).Assembly];

    private static IReadOnlyList<Type> PublicExceptions() => Packages
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => typeof(Exception).IsAssignableFrom(t))
        .ToList();

    [Fact]
    public void EveryPublicException_DerivesFromTheRoot_OrIsAnArgumentException()
    {
        var exceptions = PublicExceptions();

        var outside = exceptions.Where(t => !typeof(NeonTenancyException).IsAssignableFrom(t) && !typeof(ArgumentException).IsAssignableFrom(t));

        Assert.Empty(outside);
        Assert.Contains(typeof(NeonApiException), exceptions);
        Assert.Contains(typeof(TenantIdFormatException), exceptions);
        Assert.True(exceptions.Count >= 20, $"only {exceptions.Count} public exception types found in {string.Join(", ", Packages.Select(p => p.GetName().Name))}");
    }

    [Fact]
    public void Root_LivesInTheApiPackage_InTheNeonTenancyNamespace_WithIsTransientAndOneProtectedConstructor()
    {
        var root = typeof(NeonTenancyException);

        Assert.Same(typeof(NeonApiClient).Assembly, root.Assembly);
        Assert.Equal("Neon.Tenancy", root.Namespace);
        Assert.True(root.IsAbstract);
        var constructor = Assert.Single(root.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic));
        Assert.True(constructor.IsFamily);
        Assert.Equal([typeof(string), typeof(Exception), typeof(bool)], constructor.GetParameters().Select(p => p.ParameterType));
        Assert.Equal(root, typeof(NeonApiException).GetProperty(nameof(NeonTenancyException.IsTransient))!.DeclaringType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NeonApiException_CaughtAsTheRoot_KeepsItsDetailsAndTransience(bool isTransient)
    {
        var inner = new HttpRequestException("network");
        NeonTenancyException caught = new NeonApiException("Neon API GET projects failed", System.Net.HttpStatusCode.BadGateway, "BAD_GATEWAY", "req-1", TimeSpan.FromSeconds(2), isTransient, inner);

        var api = Assert.IsType<NeonApiException>(caught);
        Assert.Equal(isTransient, caught.IsTransient);
        Assert.Same(inner, caught.InnerException);
        Assert.Equal("Neon API GET projects failed", caught.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, api.StatusCode);
        Assert.Equal("BAD_GATEWAY", api.ErrorCode);
        Assert.Equal("req-1", api.RequestId);
        Assert.Equal(TimeSpan.FromSeconds(2), api.RetryAfter);
    }

    [Fact]
    public void NeonApiException_ShortConstructors_AreNotTransient()
    {
        Assert.False(new NeonApiException().IsTransient);
        Assert.False(new NeonApiException("failed").IsTransient);
        Assert.False(new NeonApiException("failed", new IOException()).IsTransient);
        Assert.True(new NeonRateLimitedException("limited").IsTransient);
        Assert.False(new NeonLockedException("locked", isQuotaExceeded: true).IsTransient);
    }
}
