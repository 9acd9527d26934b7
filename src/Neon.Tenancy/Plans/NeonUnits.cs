namespace Neon.Tenancy;

/// <summary>
/// The one place that converts between the units people price plans in and Neon's units: GB are 2^30 bytes (Neon's
/// byte quotas and usage counters), hours are 3600 seconds (Neon's time quotas; compute time is in CU-seconds).
/// </summary>
internal static class NeonUnits
{
    /// <summary>Bytes in one GB as plans and usage reports count it: 2^30.</summary>
    public const long BytesPerGB = 1L << 30;

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
