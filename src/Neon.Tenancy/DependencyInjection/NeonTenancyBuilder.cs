using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

internal sealed class NeonTenancyBuilder(IServiceCollection services, IConfiguration? configuration) : INeonTenancyBuilder
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The <c>NeonTenancy</c> section given to <c>AddNeonTenancy</c>, if any; sub-sections configure features.</summary>
    public IConfiguration? Configuration { get; } = configuration;
}
