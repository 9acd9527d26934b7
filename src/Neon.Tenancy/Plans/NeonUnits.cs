namespace Neon.Tenancy;

/// <summary>
/// The one place that converts between the units people price plans in and Neon's units: GB are 10^9 bytes, as Neon
/// bills them (its usage and cost documentation; byte quotas and usage counters are in bytes), hours are 3600 seconds (Neon's time quotas; compute time is in CU-seconds).
/// </summary>
internal static class NeonUnits
{
    /// <summary>Bytes in one GB as plans, usage reports and Neon's prices count it: 10^9.</summary>
    public const long BytesPerGB = 1_000_000_000;

    /// <summary>Seconds in one hour.</summary>
    public const long SecondsPerHour = 3600;

    /// <summary>GB to whole bytes (rounded to the nearest byte).</summary>
    public static long GBToBytes(double gb) => checked((long)Math.Round(gb * BytesPerGB, MidpointRounding.AwayFromZero));

    /// <summary>Bytes to GB.</summary>
    public static double BytesToGB(long bytes) => (double)bytes / BytesPerGB;

    /// <summary>Hours to whole seconds (rounded to the nearest second).</summary>
    public static long HoursToSeconds(double hours) => checked((long)Math.Round(hours * SecondsPerHour, MidpointRounding.AwayFromZero));

    /// <summary>Seconds to hours.</summary>
    public static double SecondsToHours(long seconds) => (double)seconds / SecondsPerHour;
}
