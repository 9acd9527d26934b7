namespace Neon.Tenancy;

/// <summary>
/// The root of every exception Neon.Tenancy and Neon.Tenancy.Api throw (arguments a caller got wrong excepted: those
/// are <see cref="ArgumentException"/>s). Catch it to handle any failure of either package in one place; branch on
/// <see cref="IsTransient"/> to decide whether to try again.
/// </summary>
/// <remarks>Messages name tenants, settings, routes, statuses and Neon error codes; never an API key, password or connection string.</remarks>
public abstract class NeonTenancyException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message; it must not contain secrets.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <param name="isTransient">Whether trying the same call again later may succeed.</param>
    protected NeonTenancyException(string message, Exception? innerException = null, bool isTransient = false)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>
    /// Gets a value indicating whether trying the same call again later may succeed: the failure is expected to pass
    /// (a timeout, a 429 or 503, a resource still busy) rather than to repeat until something is changed.
    /// </summary>
    public bool IsTransient { get; }
}
