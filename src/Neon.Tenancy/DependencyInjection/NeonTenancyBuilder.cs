namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddNeonTenancy</c> returns: the service collection, for the builder's extensions to add to (every sub-section of the configuration is bound by <c>AddNeonTenancy</c> itself).</summary>
internal sealed class NeonTenancyBuilder(IServiceCollection services) : INeonTenancyBuilder
{
    public IServiceCollection Services { get; } = services;
}
