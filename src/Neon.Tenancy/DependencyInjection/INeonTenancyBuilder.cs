namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures Neon.Tenancy after <c>AddNeonTenancy</c>; extension methods add features (for example <c>UsePostgresCatalog</c>).</summary>
public interface INeonTenancyBuilder
{
    /// <summary>The service collection Neon.Tenancy is registered in.</summary>
    IServiceCollection Services { get; }
}
