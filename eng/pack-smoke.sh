#!/usr/bin/env bash
# Proves the packages install: packs every src/ project into a temporary feed, checks each package carries its README
# and a symbols package (snupkg), then creates a fresh console project that restores Neon.Tenancy from that feed (plus
# the machine's configured NuGet sources), calls AddNeonTenancy(...), builds and runs it.
#
#   bash eng/pack-smoke.sh
#
# Fails loudly (non-zero exit, the failing step named) otherwise. eng/test.sh runs it after a full test run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/neon-tenancy-pack-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
app="$work/app"
# A version of its own, so the global packages folder never serves a package from an earlier run.
suffix="smoke.$(date +%Y%m%d%H%M%S).$$"

fail() { echo "[pack-smoke] FAILED: $*" >&2; exit 1; }
step() { echo "[pack-smoke] $*"; }

step "building src/* (Release, version suffix $suffix) and packing into $feed"
props=(-c Release -p:VersionSuffix="$suffix" -p:ContinuousIntegrationBuild=true --nologo -v quiet)
# One build of every src project (Neon.Tenancy.Testing references the other two), then pack without rebuilding.
for project in "$root"/src/*/*.csproj; do
  dotnet build "$project" "${props[@]}" >/dev/null || fail "dotnet build $(basename "$project")"
done
for project in "$root"/src/*/*.csproj; do
  dotnet pack "$project" --no-build -o "$feed" "${props[@]}" || fail "dotnet pack $(basename "$project")"
done

# Checks read whole listings into variables: `unzip | grep -q` would die of SIGPIPE under pipefail.
has() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }
for project in "$root"/src/*/*.csproj; do
  id=$(basename "$project" .csproj)
  nupkg=$(find "$feed" -maxdepth 1 -name "$id.[0-9]*.nupkg" | head -n 1)
  [ -n "$nupkg" ] || fail "$id: no .nupkg"
  snupkg="${nupkg%.nupkg}.snupkg"
  [ -f "$snupkg" ] || fail "$id: no symbols package (.snupkg)"
  files=$(unzip -Z1 "$nupkg")
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  symbols=$(unzip -Z1 "$snupkg")
  grep -qx 'README.md' <<<"$files" || fail "$id: the package has no README.md at its root"
  has "$files" "lib/net10.0/$id.xml" || fail "$id: the package has no XML documentation"
  has "$nuspec" '<readme>README.md</readme>' || fail "$id: the nuspec does not declare its readme"
  has "$nuspec" '<license type="expression">' || fail "$id: the nuspec has no license expression"
  has "$nuspec" '<repository ' || fail "$id: the nuspec has no repository element"
  has "$symbols" "lib/net10.0/$id.pdb" || fail "$id: the symbols package has no $id.pdb"
  step "$id: $(basename "$nupkg") with README, XML docs, license, repository and symbols"
done
version=$(basename "$(ls "$feed"/Neon.Tenancy.[0-9]*.nupkg)" .nupkg); version=${version#Neon.Tenancy.}

step "creating a fresh console project in $app"
dotnet new console -o "$app" -n SmokeApp --no-restore >/dev/null || fail "dotnet new console"
# The temporary feed plus whatever sources this machine's NuGet configuration lists (user/machine config still applies).
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="neon-tenancy-smoke" value="$feed" />
  </packageSources>
</configuration>
XML
# Outside the repository: no Directory.Build.props or central package management leaks in from above.
cat > "$app/Directory.Build.props" <<'XML'
<Project />
XML
cat > "$app/Directory.Packages.props" <<'XML'
<Project />
XML

cat > "$app/Program.cs" <<'CS'
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Neon.Tenancy;

var services = new ServiceCollection();
services.AddLogging();
services
    .AddNeonTenancy(options =>
    {
        options.Secrets.CurrentKeyId = "k1";
        options.Secrets.Keys["k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    })
    .ConfigureApi(options => options.ApiKey = "not-a-real-key")
    .UseInMemoryCatalog()
    .AddTenantContext();
services.AddHealthChecks().AddNeonTenancy();

await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
_ = provider.GetRequiredService<ITenantDatabaseProvider>();
_ = provider.GetRequiredService<ITenantConnectionFactory>();
await using var scope = provider.CreateAsyncScope();
scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(TenantId.Parse("smoke"));
Console.WriteLine("pack-smoke: Neon.Tenancy resolved");
CS

step "adding Neon.Tenancy $version from the feed"
(cd "$app" && dotnet add package Neon.Tenancy --version "$version" >/dev/null) || fail "dotnet add package Neon.Tenancy $version"
step "building and running the console project"
output=$(cd "$app" && dotnet run -c Release 2>&1) || { echo "$output" >&2; fail "dotnet run"; }
echo "$output" | grep -q "pack-smoke: Neon.Tenancy resolved" || { echo "$output" >&2; fail "the console project did not print its success line"; }
step "OK: the packages restore, build and run in a fresh console project"
