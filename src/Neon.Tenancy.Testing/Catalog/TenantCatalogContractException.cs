namespace Neon.Tenancy.Testing;

/// <summary>
/// A catalog broke the <see cref="TenantCatalogContract"/>: the message names the case and what differed (never a
/// connection secret: byte fields are compared, not printed).
/// </summary>
public sealed class TenantCatalogContractException : Exception
{
    /// <summary>Creates the exception for a failed case.</summary>
    /// <param name="caseName">The case that failed.</param>
    /// <param name="failure">What differed, or what the catalog did wrong.</param>
    /// <param name="innerException">The exception the catalog threw unexpectedly, if that is the failure.</param>
    public TenantCatalogContractException(string caseName, string failure, Exception? innerException = null)
        : base($"Tenant catalog contract case '{caseName}' failed: {failure}", innerException)
    {
        CaseName = caseName;
    }

    /// <summary>The name of the case that failed (<see cref="TenantCatalogContractCase.Name"/>).</summary>
    public string CaseName { get; }
}
