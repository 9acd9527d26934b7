using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;

/// <summary>A context whose third migration fails halfway (after creating a table, a division by zero).</summary>
public sealed class FailingDb(DbContextOptions<FailingDb> options) : DbContext(options);

[DbContext(typeof(FailingDb))]
[Migration(Id)]
public sealed class CreateFirst : Migration
{
    public const string Id = "20260201000000_CreateFirst";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("CREATE TABLE first (id integer)");
}

[DbContext(typeof(FailingDb))]
[Migration(Id)]
public sealed class CreateSecond : Migration
{
    public const string Id = "20260202000000_CreateSecond";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("CREATE TABLE second (id integer)");
}

[DbContext(typeof(FailingDb))]
[Migration(Id)]
public sealed class CreateThirdThenFail : Migration
{
    public const string Id = "20260203000000_CreateThirdThenFail";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("CREATE TABLE third (id integer)");
        migrationBuilder.Sql("SELECT 1 / 0");
    }
}
