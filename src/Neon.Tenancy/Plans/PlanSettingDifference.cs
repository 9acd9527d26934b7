namespace Neon.Tenancy;

/// <summary>One setting of a project that differs from its plan.</summary>
/// <param name="Setting">The Neon setting (for example <c>settings.quota.compute_time_seconds</c>, <c>endpoint.autoscaling_limit_max_cu</c>).</param>
/// <param name="Expected">The plan's value, formatted invariantly.</param>
/// <param name="Actual">The project's value, formatted invariantly; <see langword="null"/> when unset.</param>
public sealed record PlanSettingDifference(string Setting, string? Expected, string? Actual);
