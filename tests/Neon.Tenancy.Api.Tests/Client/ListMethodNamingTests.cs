using System.Reflection;

namespace Neon.Tenancy.Api.Tests.Client;

/// <summary>
/// The naming rule of list methods: <c>List…Async</c> (generated, as Neon names its operations) returns one page, with
/// the page's cursor; <c>ListAll…Async</c> returns an <see cref="IAsyncEnumerable{T}"/> that follows the cursor over
/// every page as the caller enumerates. Nothing else streams, and nothing named ListAll returns a page.
/// </summary>
public sealed class ListMethodNamingTests
{
    private static IEnumerable<MethodInfo> PublicMethods() => typeof(NeonApiClient).Assembly.GetExportedTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));

    private static bool Streams(MethodInfo m) =>
        m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>);

    [Fact]
    public void StreamingMethods_AreNamedListAll_AndListAllMethodsStream()
    {
        var methods = PublicMethods().ToList();

        var streaming = methods.Where(Streams).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").Order().ToList();
        var misnamed = methods.Where(m => Streams(m) != (m.Name.StartsWith("ListAll", StringComparison.Ordinal) && m.Name.EndsWith("Async", StringComparison.Ordinal)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        Assert.Empty(misnamed);
        Assert.Equal(
            ["BranchesClient.ListAllProjectBranchesAsync", "ConsumptionClient.ListAllConsumptionHistoryPerProjectV2Async",
             "OperationsClient.ListAllProjectOperationsAsync", "ProjectsClient.ListAllProjectsAsync"],
            streaming);
    }
}
