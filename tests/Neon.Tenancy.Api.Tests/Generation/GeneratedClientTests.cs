using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Neon.Tenancy.Api.Generator;

namespace Neon.Tenancy.Api.Tests.Generation;

public class GeneratedClientTests
{
    private static readonly string Root = RepositoryLayout.FindRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Neon.Tenancy.sln not found above the test output.");

    private static JsonObject Spec => JsonNode.Parse(File.ReadAllText(RepositoryLayout.SpecPath(Root)))!.AsObject();

    [Fact]
    public void GeneratedCode_MatchesPinnedDefinition()
    {
        var expected = ClientGenerator.Generate(File.ReadAllText(RepositoryLayout.SpecPath(Root)));
        var directory = RepositoryLayout.GeneratedDirectory(Root);

        Assert.Equal(expected.Keys.Order(), Directory.GetFiles(directory, "*.g.cs").Select(Path.GetFileName).Order());
        foreach (var (name, text) in expected)
        {
            var committed = File.ReadAllText(Path.Combine(directory, name));
            Assert.True(committed == text,
                $"{name} differs from what the pinned openapi-v2.json generates; run `dotnet run --project eng/Neon.Tenancy.Api.Generator`.");
        }
    }

    [Fact]
    public void Generator_ChangedDefinition_ProducesDifferentCode()
    {
        var spec = Spec;
        spec["components"]!["schemas"]!["Operation"]!["properties"]!["extra_field"] = new JsonObject { ["type"] = "string" };

        var changed = ClientGenerator.Generate(spec.ToJsonString());

        Assert.Contains("public string? ExtraField { get; set; }", changed["NeonApiModels.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void Client_IncludedTags_HaveEveryOperation()
    {
        var spec = Spec;
        var tags = ClientGenerator.IncludedTags.ToDictionary(t => t.Tag, t => t.Group);
        var expected = new List<(string Group, string Method)>();
        foreach (var (_, item) in spec["paths"]!.AsObject())
        {
            foreach (var (verb, op) in item!.AsObject())
            {
                if (verb == "parameters")
                {
                    continue;
                }

                var tag = op?["tags"]?.AsArray().Select(t => t!.GetValue<string>()).FirstOrDefault(tags.ContainsKey);
                if (tag is not null)
                {
                    var id = op!["operationId"]!.GetValue<string>();
                    expected.Add((tags[tag], char.ToUpperInvariant(id[0]) + id[1..] + "Async"));
                }
            }
        }

        Assert.True(expected.Count >= 90, $"only {expected.Count} operations found");
        foreach (var (group, method) in expected)
        {
            var clientType = typeof(NeonApiClient).Assembly.GetType($"Neon.Tenancy.Api.{group}Client");
            Assert.NotNull(clientType);
            Assert.True(clientType!.GetMethod(method, BindingFlags.Public | BindingFlags.Instance) is not null, $"{group}Client.{method} is missing");
        }
    }

    [Fact]
    public void ResponseExamples_InPinnedDefinition_DeserializeIntoGeneratedTypes()
    {
        var methods = typeof(NeonApiClient).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Client", StringComparison.Ordinal) && t.Namespace == "Neon.Tenancy.Api")
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        var checkedExamples = 0;
        foreach (var (_, item) in Spec["paths"]!.AsObject())
        {
            foreach (var (verb, op) in item!.AsObject())
            {
                if (verb == "parameters" || op?["operationId"] is not JsonNode id || !methods.TryGetValue(id.GetValue<string>() + "Async", out var method))
                {
                    continue;
                }

                foreach (var code in new[] { "200", "201" })
                {
                    if (op["responses"]?[code]?["content"]?["application/json"]?["example"] is not JsonNode example
                        || !method.ReturnType.IsGenericType)
                    {
                        continue;
                    }

                    var type = method.ReturnType.GetGenericArguments()[0];
                    var value = JsonSerializer.Deserialize(example.ToJsonString(), NeonApiJsonContext.Default.GetTypeInfo(type)!);
                    Assert.NotNull(value);
                    checkedExamples++;
                }
            }
        }

        Assert.True(checkedExamples >= 35, $"only {checkedExamples} examples checked");
    }
}
