using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;

// NotesDb's migrations, written by hand as `dotnet ef migrations add` would write them.

[DbContext(typeof(NotesDb))]
[Migration(Id)]
public sealed class CreateNotes : Migration
{
    public const string Id = "20260101000000_CreateNotes";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateTable(
        name: "notes",
        columns: table => new
        {
            id = table.Column<long>(type: "bigint", nullable: false)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            body = table.Column<string>(type: "text", nullable: false),
        },
        constraints: table => table.PrimaryKey("PK_notes", x => x.id));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "notes");
}

[DbContext(typeof(NotesDb))]
[Migration(Id)]
public sealed class AddNoteTag : Migration
{
    public const string Id = "20260102000000_AddNoteTag";

    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<string>(name: "tag", table: "notes", type: "text", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropColumn(name: "tag", table: "notes");
}

[DbContext(typeof(NotesDb))]
[Migration(Id)]
public sealed class CreateTags : Migration
{
    public const string Id = "20260103000000_CreateTags";

    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.CreateTable(
        name: "tags",
        columns: table => new { name = table.Column<string>(type: "text", nullable: false) },
        constraints: table => table.PrimaryKey("PK_tags", x => x.name));

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "tags");
}

/// <summary>The model after the last migration: EF Core compares it with NotesDb's model and refuses to migrate when they differ.</summary>
[DbContext(typeof(NotesDb))]
public sealed class NotesDbModelSnapshot : ModelSnapshot
{
    protected override void BuildModel(ModelBuilder modelBuilder)
    {
        modelBuilder
            .HasAnnotation("ProductVersion", "10.0.0")
            .HasAnnotation("Relational:MaxIdentifierLength", 63);
        NpgsqlModelBuilderExtensions.UseIdentityByDefaultColumns(modelBuilder);

        modelBuilder.Entity("Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts.Note", b =>
        {
            b.Property<long>("Id").ValueGeneratedOnAdd().HasColumnType("bigint").HasColumnName("id");
            NpgsqlPropertyBuilderExtensions.UseIdentityByDefaultColumn(b.Property<long>("Id"));
            b.Property<string>("Body").IsRequired().HasColumnType("text").HasColumnName("body");
            b.Property<string>("Tag").HasColumnType("text").HasColumnName("tag");
            b.HasKey("Id");
            b.ToTable("notes");
        });

        modelBuilder.Entity("Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts.Tag", b =>
        {
            b.Property<string>("Name").HasColumnType("text").HasColumnName("name");
            b.HasKey("Name");
            b.ToTable("tags");
        });
    }
}
