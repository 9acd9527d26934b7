namespace Neon.Tenancy.Testing.Contract;

/// <summary>A failed check inside a contract case; the case turns it into <see cref="TenantCatalogContractException"/>.</summary>
internal sealed class ContractCheckException(string message) : Exception(message);
