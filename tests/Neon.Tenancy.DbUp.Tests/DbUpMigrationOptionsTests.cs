using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;

namespace Neon.Tenancy.DbUp.Tests;

public sealed class DbUpMigrationOptionsTests
{
    [Theory]
    [InlineData("JournalSchema", "")]
    [InlineData("JournalSchema", "1abc")]
    [InlineData("JournalSchema", "bad\"name")]
    [InlineData("JournalTable", "it's")]
    [InlineData("JournalTable", "a_name_that_is_far_too_long_for_postgresql_which_allows_63_bytes")]
    public void Constructor_BadIdentifier_ThrowsNamingTheSetting(string setting, string value)
    {
        var options = new DbUpMigrationOptions().AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix);
        if (setting == "JournalSchema")
        {
            options.JournalSchema = value;
        }
        else
        {
            options.JournalTable = value;
        }

        var error = Assert.Throws<ArgumentException>(() => new DbUpTenantMigrator(options));

        Assert.Contains($"DbUpMigrationOptions.{setting}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1)]
    public void Constructor_CommandTimeoutBelowOneSecond_ThrowsNamingIt(double seconds)
    {
        var options = new DbUpMigrationOptions { CommandTimeout = TimeSpan.FromSeconds(seconds) }.AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix);

        var error = Assert.Throws<ArgumentException>(() => new DbUpTenantMigrator(options));

        Assert.Contains("DbUpMigrationOptions.CommandTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoSource_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new DbUpTenantMigrator(new DbUpMigrationOptions()));

        Assert.Contains("AddEmbeddedScripts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PrefixMatchingNoScript_ThrowsNamingTheSource()
    {
        var options = new DbUpMigrationOptions().AddEmbeddedScripts(TenantSchema.Scripts, "Neon.Tenancy.DbUp.Tests.Scripts.Typo.");

        var error = Assert.Throws<ArgumentException>(() => new DbUpTenantMigrator(options));

        Assert.Contains("'Neon.Tenancy.DbUp.Tests.Scripts.Typo.'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TwoScriptsOfOneName_Throws()
    {
        var options = new DbUpMigrationOptions()
            .AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix)
            .AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix + "0002");

        var error = Assert.Throws<ArgumentException>(() => new DbUpTenantMigrator(options));

        Assert.Contains($"'{TenantSchema.NotesPrefix}0002_add_author.sql'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SeveralSources_RunsTheirScriptsInOrdinalOrderOfName()
    {
        var migrator = new DbUpTenantMigrator(new DbUpMigrationOptions()
            .AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix)
            .AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.FailingPrefix));

        Assert.Equal(6, migrator.TargetVersion);
        Assert.Equal(migrator.ScriptNames.Order(StringComparer.Ordinal), migrator.ScriptNames);
        Assert.StartsWith(TenantSchema.FailingPrefix, migrator.ScriptNames[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AddDbUpMigrations_RegistersTheMigratorAsTheTenantMigrator()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services
            .AddNeonTenancy(options =>
            {
                options.Secrets.CurrentKeyId = "k1";
                options.Secrets.Keys["k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            })
            .AddDbUpMigrations(options => options.AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix));
        using var provider = services.BuildServiceProvider();

        var migrator = Assert.IsType<DbUpTenantMigrator>(provider.GetRequiredService<ITenantMigrator>());

        Assert.Equal(3, migrator.TargetVersion);
    }

    [Fact]
    public void AddDbUpMigrations_BadSetting_ThrowsAtRegistration()
    {
        var builder = new ServiceCollection().AddNeonTenancy(static _ => { });

        var error = Assert.Throws<ArgumentException>(() => builder.AddDbUpMigrations(options =>
        {
            options.AddEmbeddedScripts(TenantSchema.Scripts, TenantSchema.NotesPrefix);
            options.JournalTable = "no spaces";
        }));

        Assert.Contains("DbUpMigrationOptions.JournalTable", error.Message, StringComparison.Ordinal);
    }
}
