namespace Neon.Tenancy;

/// <summary>
/// How long a compute runs per month in a what-if estimate, like Neon's pricing calculator: <see cref="Testing"/>
/// (5 hours), <see cref="BusinessHours"/> (160 hours), <see cref="AlwaysOn"/> (730 hours) or <see cref="Custom"/>.
/// </summary>
/// <param name="ActiveHoursPerMonth">Hours the compute is active per month, 0 to 744.</param>
public readonly record struct UsagePattern(double ActiveHoursPerMonth)
{
    /// <summary>Occasional testing: 5 active hours a month.</summary>
    public static UsagePattern Testing => new(5);

    /// <summary>Business hours: 160 active hours a month (8 hours x 20 days).</summary>
    public static UsagePattern BusinessHours => new(160);

    /// <summary>Always on: 730 active hours a month (24 hours x 365 days / 12).</summary>
    public static UsagePattern AlwaysOn => new(730);

    /// <summary>A pattern of your own.</summary>
    /// <param name="activeHoursPerMonth">Hours active per month, 0 to 744.</param>
    /// <returns>The pattern.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activeHoursPerMonth"/> is outside 0 to 744.</exception>
    public static UsagePattern Custom(double activeHoursPerMonth)
    {
        Check(activeHoursPerMonth);
        return new(activeHoursPerMonth);
    }

    internal static void Check(double hours)
    {
        if (!(hours >= 0 && hours <= 744))
        {
            throw new ArgumentOutOfRangeException(nameof(hours), hours, "Active hours per month must be between 0 and 744.");
        }
    }
}
