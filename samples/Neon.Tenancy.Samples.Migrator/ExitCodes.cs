namespace Neon.Tenancy.Samples.Migrator;

/// <summary>What the process tells the pipeline.</summary>
internal static class ExitCodes
{
    /// <summary>Every tenant is at the target version (or the dry run printed its plan).</summary>
    public const int Ok = 0;

    /// <summary>Something else went wrong: bad arguments or settings, an unexpected error, or the run was cancelled before it finished.</summary>
    public const int Failed = 1;

    /// <summary>The run finished, and some tenants were parked: restored to their checkpoint and left at their old version.</summary>
    public const int Parked = 2;

    /// <summary>The run halted: --max-parked tenants were parked, and the tenants not started yet are still at their old version.</summary>
    public const int Halted = 3;
}
