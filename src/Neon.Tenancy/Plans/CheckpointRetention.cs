namespace Neon.Tenancy;

/// <summary>A plan's checkpoint retention (<see cref="TenantPlan.MaxCheckpoints"/>, <see cref="TenantPlan.CheckpointRetention"/>).</summary>
/// <param name="MaxCount">The most checkpoints kept; <see langword="null"/> for no count limit.</param>
/// <param name="MaxAge">How long one is kept; <see langword="null"/> for until deleted.</param>
internal sealed record CheckpointRetention(int? MaxCount, TimeSpan? MaxAge)
{
    public static readonly CheckpointRetention Unlimited = new(null, null);
}
