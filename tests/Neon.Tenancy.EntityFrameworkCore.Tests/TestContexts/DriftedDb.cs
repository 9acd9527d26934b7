using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;

/// <summary>A context whose model gained an entity no migration creates (its snapshot has none): EF Core's pending model changes.</summary>
public sealed class DriftedDb(DbContextOptions<DriftedDb> options) : DbContext(options)
{
    public DbSet<Tag> Tags => Set<Tag>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Tag>(tag =>
    {
        tag.ToTable("drifted_tags");
        tag.HasKey(t => t.Name);
    });
}

[DbContext(typeof(DriftedDb))]
[Migration(Id)]
public sealed class DriftedStart : Migration
{
    public const string Id = "20260301000000_DriftedStart";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("CREATE TABLE drifted_start (id integer)");
}

[DbContext(typeof(DriftedDb))]
public sealed class DriftedDbModelSnapshot : ModelSnapshot
{
    protected override void BuildModel(ModelBuilder modelBuilder) => modelBuilder
        .HasAnnotation("ProductVersion", "10.0.0")
        .HasAnnotation("Relational:MaxIdentifierLength", 63);
}
