using Neon.Tenancy.Api.Generator;

// Regenerates src/Neon.Tenancy.Api/Generated from src/Neon.Tenancy.Api/openapi-v2.json.
//   dotnet run --project eng/Neon.Tenancy.Api.Generator            write the files
//   dotnet run --project eng/Neon.Tenancy.Api.Generator -- --check exit 1 when the committed files are stale
var check = args.Contains("--check");
var root = RepositoryLayout.FindRoot(AppContext.BaseDirectory) ?? RepositoryLayout.FindRoot(Directory.GetCurrentDirectory())
    ?? throw new InvalidOperationException("Neon.Tenancy.sln not found above the current directory.");
var files = ClientGenerator.Generate(File.ReadAllText(RepositoryLayout.SpecPath(root)));
var output = RepositoryLayout.GeneratedDirectory(root);
Directory.CreateDirectory(output);
var stale = 0;
foreach (var (name, text) in files)
{
    var path = Path.Combine(output, name);
    var current = File.Exists(path) ? File.ReadAllText(path) : null;
    if (current == text)
    {
        continue;
    }

    stale++;
    if (check)
    {
        Console.Error.WriteLine($"stale: {Path.GetRelativePath(root, path)}");
    }
    else
    {
        File.WriteAllText(path, text);
        Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
    }
}

foreach (var extra in Directory.EnumerateFiles(output, "*.g.cs").Where(f => !files.ContainsKey(Path.GetFileName(f))))
{
    stale++;
    if (check)
    {
        Console.Error.WriteLine($"not generated: {Path.GetRelativePath(root, extra)}");
    }
    else
    {
        File.Delete(extra);
    }
}

Console.WriteLine(stale == 0 ? "generated code is up to date" : check ? $"{stale} file(s) differ from the definition" : $"{stale} file(s) regenerated");
return check && stale > 0 ? 1 : 0;
