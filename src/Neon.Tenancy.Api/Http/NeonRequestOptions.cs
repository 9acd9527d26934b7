namespace Neon.Tenancy.Api;

/// <summary>
/// Metadata that the client puts on each <see cref="HttpRequestMessage.Options"/> for the HTTP runtime,
/// and that the runtime leaves on the request for the error factory.
/// </summary>
internal static class NeonRequestOptions
{
    /// <summary>
    /// The operation's route template, e.g. <c>projects/{project_id}/branches</c> (no leading slash). Used for the
    /// per-route rate limit, logs and spans; a request without it falls back to its path. Templates starting with
    /// <c>consumption_history</c> also take the consumption budget.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> RouteTemplate = new("Neon.Tenancy.RouteTemplate");

    /// <summary>The OpenAPI operation id, e.g. <c>getProject</c>. Used for logs and spans.</summary>
    public static readonly HttpRequestOptionsKey<string> OperationId = new("Neon.Tenancy.OperationId");

    /// <summary>Set by the runtime on the caller's request: how many attempts the call made.</summary>
    internal static readonly HttpRequestOptionsKey<int> Attempts = new("Neon.Tenancy.Attempts");

    /// <summary>Set by the runtime on the caller's request: the final response's <c>Retry-After</c>, resolved against its <see cref="TimeProvider"/>.</summary>
    internal static readonly HttpRequestOptionsKey<TimeSpan> RetryAfter = new("Neon.Tenancy.RetryAfter");

    /// <summary>The route template of a request, else its path without the leading slash.</summary>
    internal static string GetRoute(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(RouteTemplate, out var template) && !string.IsNullOrEmpty(template))
        {
            return template;
        }

        var uri = request.RequestUri;
        if (uri is null)
        {
            return string.Empty;
        }

        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?', 2)[0];
        return path.TrimStart('/');
    }

    /// <summary>Whether a route takes the consumption budget.</summary>
    internal static bool IsConsumptionRoute(string route) =>
        route.StartsWith("consumption_history", StringComparison.Ordinal);
}
