namespace Neon.Tenancy.Api;

/// <summary>The name of the <see cref="HttpClient"/> that <c>AddNeonApiClient</c> registers with <see cref="IHttpClientFactory"/>.</summary>
internal static class NeonApiHttpClient
{
    /// <summary>The named client: <c>IHttpClientFactory.CreateClient(NeonApiHttpClient.Name)</c>.</summary>
    public const string Name = "Neon.Tenancy.Api";
}
