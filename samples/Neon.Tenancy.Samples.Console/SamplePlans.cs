namespace Neon.Tenancy.Samples.Console;

/// <summary>
/// TEMPORARY GLUE until the plans registration (issue 7: <c>ConfigurePlans(...)</c>, <see cref="IPlanLimits"/>) is
/// merged: reads <c>NeonTenancy:Plans</c> from appsettings.json itself and turns a plan into the
/// <see cref="TenantPlanSettings"/> sent with <see cref="TenantProvisionRequest.Settings"/>. Once plans are registered,
/// delete this class: <c>ProvisionAsync</c> applies the plan by name and <c>IPlanLimits.GetSettings</c> replaces
/// <see cref="ToSettings"/>.
/// </summary>
internal static class SamplePlans
{
    private const double BytesPerGB = 1024d * 1024 * 1024;

    public static TenantPlanSettings ToSettings(TenantPlan plan) => new()
    {
        ActiveTimeSecondsQuota = Scale(plan.ActiveHours, 3600),
        ComputeTimeSecondsQuota = Scale(plan.ComputeHours, 3600),
        WrittenDataBytesQuota = Scale(plan.WrittenGB, BytesPerGB),
        DataTransferBytesQuota = Scale(plan.TransferGB, BytesPerGB),
        LogicalSizeBytesQuota = Scale(plan.StorageGB, BytesPerGB),
        AutoscalingMinCu = plan.MinComputeUnits,
        AutoscalingMaxCu = plan.MaxComputeUnits,
        SuspendTimeout = plan.SuspendTimeout,
        HistoryRetention = plan.HistoryRetention,
        MaxPoolSize = plan.MaxPoolSize,
    };

    public static TenantPlan Get(TenantPlanOptions options, string name) =>
        options.Plans.TryGetValue(name, out var plan)
            ? plan
            : throw new InvalidOperationException($"Plan '{name}' is not configured (NeonTenancy:Plans:Plans:{name} in appsettings.json).");

    private static long? Scale(double? value, double unit) => value is { } v ? (long)Math.Round(v * unit) : null;
}
