namespace Neon.Tenancy;

/// <summary>One time step of a tenant's history.</summary>
/// <param name="Start">Start of the step.</param>
/// <param name="End">End of the step.</param>
/// <param name="Values">The metrics' values in this step.</param>
public sealed record UsageTimeframe(DateTimeOffset Start, DateTimeOffset End, UsageValues Values);
