namespace Neon.Tenancy.Api.Generator;

/// <summary>Where the pinned definition and the generated files live in the repository.</summary>
public static class RepositoryLayout
{
    /// <summary>The directory holding Neon.Tenancy.sln at or above <paramref name="start"/>, or null.</summary>
    public static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Neon.Tenancy.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The pinned copy of Neon's OpenAPI v2 definition.</summary>
    public static string SpecPath(string root) => Path.Combine(root, "src", "Neon.Tenancy.Api", "openapi-v2.json");

    /// <summary>The folder the generator writes.</summary>
    public static string GeneratedDirectory(string root) => Path.Combine(root, "src", "Neon.Tenancy.Api", "Generated");
}
