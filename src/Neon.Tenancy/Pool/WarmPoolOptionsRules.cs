using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Neon.Tenancy;

/// <summary>
/// The rules of <see cref="WarmPoolOptions"/> that span settings or other options (the generated
/// <see cref="WarmPoolOptionsValidator"/> checks the single-value ranges): region ids and their sizes, pool plans that
/// must be configured plans named once, and, with the pool on, a catalog the pool can keep its entries in. Each message
/// names the full setting.
/// </summary>
internal sealed class WarmPoolOptionsRules(IOptions<TenantPlanOptions> plans, IServiceProvider services) : IValidateOptions<WarmPoolOptions>
{
    private const string Path = NeonTenancySections.WarmPoolPath + ":";

    public ValidateOptionsResult Validate(string? name, WarmPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (region, size) in options.Regions ?? new Dictionary<string, int>())
        {
            if (string.IsNullOrEmpty(region))
            {
                failures.Add(Path + "Regions has an empty region id; name a Neon region (for example aws-eu-central-1), or use " + Path + "Size for sign-ups without a region.");
                continue;
            }

            if (TenantRequestRules.RegionProblem(region) is { } problem)
            {
                failures.Add(Path + "Regions:" + Printable(region) + " " + problem);
            }

            if (size is < 0 or > 1000)
            {
                failures.Add(Path + "Regions:" + Printable(region) + " must be between 0 and 1000.");
            }
        }

        var configured = plans.Value.Plans;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var plan in options.Plans ?? [])
        {
            if (string.IsNullOrEmpty(plan) || !configured.ContainsKey(plan))
            {
                failures.Add(Path + "Plans names '" + Printable(plan ?? string.Empty) + "', which is not a configured plan (" + NeonTenancySections.PlansPath + ":Plans"
                    + (configured.Count == 0 ? " is empty" : ": " + string.Join(", ", configured.Keys.Order(StringComparer.OrdinalIgnoreCase))) + ").");
            }
            else if (!seen.Add(plan))
            {
                failures.Add(Path + "Plans names '" + plan + "' twice.");
            }
        }

        if (options.Enabled && failures.Count == 0 && services.GetService<ITenantCatalog>() is not null)
        {
            try
            {
                _ = services.GetRequiredService<IWarmPoolStore>();
            }
            catch (InvalidOperationException unsupported)
            {
                failures.Add(Path + "Size or " + Path + "Regions turn the pool on, but " + unsupported.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A configured name as a message shows it: at most 64 characters, control characters replaced.</summary>
    private static string Printable(string value)
    {
        var shown = value.Length <= 64 ? value : value[..64] + "...";
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
