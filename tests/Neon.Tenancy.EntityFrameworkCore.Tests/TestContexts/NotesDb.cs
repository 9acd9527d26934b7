using Microsoft.EntityFrameworkCore;

namespace Neon.Tenancy.EntityFrameworkCore.Tests.TestContexts;

/// <summary>The tests' application context: notes with tags, built by the three migrations in NotesDbMigrations.cs.</summary>
public sealed class NotesDb(DbContextOptions<NotesDb> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<Tag> Tags => Set<Tag>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>(note =>
        {
            note.ToTable("notes");
            note.Property(n => n.Id).HasColumnName("id");
            note.Property(n => n.Body).HasColumnName("body");
            note.Property(n => n.Tag).HasColumnName("tag");
        });
        modelBuilder.Entity<Tag>(tag =>
        {
            tag.ToTable("tags");
            tag.HasKey(t => t.Name);
            tag.Property(t => t.Name).HasColumnName("name");
        });
    }
}

public sealed class Note
{
    public long Id { get; set; }

    public required string Body { get; set; }

    public string? Tag { get; set; }
}

public sealed class Tag
{
    public required string Name { get; set; }
}
