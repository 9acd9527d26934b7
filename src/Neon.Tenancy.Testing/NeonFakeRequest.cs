namespace Neon.Tenancy.Testing;

/// <summary>One request the fake answered, for assertions.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path below <c>/api/v2/</c>, with its query string.</param>
/// <param name="Route">The route template it matched, e.g. <c>GET projects/{project_id}</c>, or null when none did.</param>
/// <param name="StatusCode">The status answered; 0 when the connection was dropped.</param>
/// <param name="RequestId">The request id (the client's <c>X-Request-ID</c> or one the fake made up).</param>
/// <param name="Timestamp">When it arrived, by the fake's clock.</param>
public sealed record NeonFakeRequest(string Method, string Path, string? Route, int StatusCode, string RequestId, DateTimeOffset Timestamp);
