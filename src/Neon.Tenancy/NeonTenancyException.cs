namespace Neon.Tenancy;

/// <summary>The root of the exceptions Neon.Tenancy throws. Messages name tenants and settings, never secrets.</summary>
public abstract class NeonTenancyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected NeonTenancyException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
