using Neon.Tenancy.Api;

namespace Neon.Tenancy;

/// <summary>
/// The one mapping from <see cref="TenantPlanSettings"/> to Neon's settings: the create call's project settings, the
/// project PATCH (quota, default endpoint settings, history retention) and the endpoint PATCH (autoscaling, suspend
/// timeout). Provisioning, plan changes, suspension and drift all read it, so a rule (unset quota = 0 = unlimited,
/// <see cref="Timeout.InfiniteTimeSpan"/> = -1 = never suspend) is written once.
/// </summary>
internal static class NeonPlanSettings
{
    /// <summary>The value of each period quota while a tenant is suspended on purpose.</summary>
    public const long SuspensionQuota = 1;

    /// <summary>The quotas a tenant carries: its plan's (unset = 0, unlimited), or while suspended 1 for each period quota.</summary>
    public static ProjectQuota Quota(TenantPlanSettings settings, bool suspended) => new()
    {
        ActiveTimeSeconds = suspended ? SuspensionQuota : settings.ActiveTimeSecondsQuota ?? 0,
        ComputeTimeSeconds = suspended ? SuspensionQuota : settings.ComputeTimeSecondsQuota ?? 0,
        WrittenDataBytes = suspended ? SuspensionQuota : settings.WrittenDataBytesQuota ?? 0,
        DataTransferBytes = suspended ? SuspensionQuota : settings.DataTransferBytesQuota ?? 0,
        LogicalSizeBytes = settings.LogicalSizeBytesQuota ?? 0,
    };

    /// <summary>Whether the settings set any quota (the create call then sends them).</summary>
    public static bool HasQuota(TenantPlanSettings settings) =>
        settings.ActiveTimeSecondsQuota is not null || settings.ComputeTimeSecondsQuota is not null || settings.WrittenDataBytesQuota is not null
        || settings.DataTransferBytesQuota is not null || settings.LogicalSizeBytesQuota is not null;

    /// <summary>Whether the settings manage the compute (autoscaling or suspend timeout); unmanaged ones are left as they are.</summary>
    public static bool ManagesCompute(TenantPlanSettings settings) =>
        settings.AutoscalingMinCu is not null || settings.AutoscalingMaxCu is not null || settings.SuspendTimeout is not null;

    /// <summary>The project's default endpoint settings (reach computes created later); <see langword="null"/> when the compute is not managed.</summary>
    public static DefaultEndpointSettings? DefaultEndpoint(TenantPlanSettings settings) => ManagesCompute(settings)
        ? new DefaultEndpointSettings
        {
            AutoscalingLimitMinCu = settings.AutoscalingMinCu,
            AutoscalingLimitMaxCu = settings.AutoscalingMaxCu,
            SuspendTimeoutSeconds = SuspendSeconds(settings),
        }
        : null;

    /// <summary>Sets what the plan manages on a project about to be created (quota, default endpoint settings, history retention).</summary>
    public static void ApplyTo(ProjectCreateRequestProject project, TenantPlanSettings settings)
    {
        if (HasQuota(settings))
        {
            project.Settings = new ProjectSettingsData { Quota = Quota(settings, suspended: false) };
        }

        project.DefaultEndpointSettings = DefaultEndpoint(settings);
        project.HistoryRetentionSeconds = RetentionSeconds(settings);
    }

    /// <summary>The project PATCH that applies the settings (the quotas always: unset ones are reset to unlimited).</summary>
    public static ProjectUpdateRequest ProjectPatch(TenantPlanSettings settings, bool suspended) => new()
    {
        Project = new ProjectUpdateRequestProject
        {
            Settings = new ProjectSettingsData { Quota = Quota(settings, suspended) },
            DefaultEndpointSettings = DefaultEndpoint(settings),
            HistoryRetentionSeconds = RetentionSeconds(settings),
        },
    };

    /// <summary>The PATCH of the quotas alone (suspension: the compute settings stay as they are).</summary>
    public static ProjectUpdateRequest QuotaPatch(TenantPlanSettings settings, bool suspended) => new()
    {
        Project = new ProjectUpdateRequestProject { Settings = new ProjectSettingsData { Quota = Quota(settings, suspended) } },
    };

    /// <summary>The existing read-write endpoint's PATCH; <see langword="null"/> when the compute is not managed.</summary>
    public static EndpointUpdateRequest? EndpointPatch(TenantPlanSettings settings) => ManagesCompute(settings)
        ? new EndpointUpdateRequest
        {
            Endpoint = new EndpointUpdateRequestEndpoint
            {
                AutoscalingLimitMinCu = settings.AutoscalingMinCu,
                AutoscalingLimitMaxCu = settings.AutoscalingMaxCu,
                SuspendTimeoutSeconds = SuspendSeconds(settings),
            },
        }
        : null;

    /// <summary>Neon's <c>suspend_timeout_seconds</c>: -1 = never.</summary>
    public static long? SuspendSeconds(TenantPlanSettings settings) =>
        settings.SuspendTimeout is { } suspend ? suspend == Timeout.InfiniteTimeSpan ? -1 : (long)suspend.TotalSeconds : null;

    /// <summary>Neon's <c>history_retention_seconds</c>.</summary>
    public static int? RetentionSeconds(TenantPlanSettings settings) =>
        settings.HistoryRetention is { } retention ? checked((int)retention.TotalSeconds) : null;
}
