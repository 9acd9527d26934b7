// TEMPORARY: stand-ins for the HTTP runtime being written on the `runtime` branch; removed at merge.
namespace Neon.Tenancy.Api;

/// <summary>placeholder</summary>
public class NeonApiException : Exception
{
    /// <summary>placeholder</summary>
    public NeonApiException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>placeholder</summary>
public sealed class NeonApiOptions
{
    /// <summary>placeholder</summary>
    public TimeSpan OperationPollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>placeholder</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

internal static class NeonRequestOptions
{
    public static readonly HttpRequestOptionsKey<string> RouteTemplate = new("Neon.Tenancy.RouteTemplate");
    public static readonly HttpRequestOptionsKey<string> OperationId = new("Neon.Tenancy.OperationId");
}

internal static class NeonApiErrorFactory
{
    public static Task<NeonApiException> CreateAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Task.FromResult(new NeonApiException($"status {(int)response.StatusCode}"));

    public static NeonApiException MalformedResponse(HttpResponseMessage response, string routeTemplate, Exception? inner) =>
        new($"malformed {(int)response.StatusCode} {routeTemplate}", inner);
}
