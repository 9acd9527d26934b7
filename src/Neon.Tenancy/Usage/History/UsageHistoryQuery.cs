using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Neon.Tenancy;

/// <summary>A checked <see cref="UsageHistoryRequest"/> resolved against the catalog: what one history read asks Neon.</summary>
/// <param name="Request">The request as the caller made it.</param>
/// <param name="Metrics">The metrics to read: distinct, in <see cref="UsageMetric"/> order.</param>
/// <param name="OrgId">The Neon organization (consumption history requires one).</param>
/// <param name="Tenants">The tenants to read (with a project) and those reported without one.</param>
internal sealed record UsageHistoryQuery(UsageHistoryRequest Request, IReadOnlyList<UsageMetric> Metrics, string OrgId, UsageTenants Tenants)
{
    /// <summary>
    /// The key of the answer in <see cref="UsageHistoryCache"/>: a hash of everything that shapes it (organization, window,
    /// granularity, metrics, and each tenant with its project, so a tenant moved to another project reads afresh).
    /// </summary>
    /// <returns>The key, 64 hex digits.</returns>
    public string CacheKey()
    {
        var text = new StringBuilder();
        text.Append(OrgId).Append('|').Append(Request.Granularity).Append('|')
            .Append(Request.From.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(Request.To.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
            .AppendJoin(',', Metrics).Append('|');
        foreach (var t in Tenants.WithProject)
        {
            text.Append(t.TenantId.Value).Append('=').Append(t.ProjectId).Append(';');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
