using Microsoft.EntityFrameworkCore;

namespace Neon.Tenancy.Samples.AspNetCore;

/// <summary>The tenant's todos through EF Core; built per request on the request's connection (<c>ITenantContext.Connection</c>).</summary>
public sealed class TodoDb(DbContextOptions<TodoDb> options) : DbContext(options)
{
    /// <summary>The todos.</summary>
    public DbSet<Todo> Todos => Set<Todo>();

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<Todo>(todo =>
        {
            todo.ToTable("todos");
            todo.Property(t => t.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            todo.Property(t => t.Title).HasColumnName("title");
            todo.Property(t => t.Done).HasColumnName("done");
        });
    }
}

/// <summary>A todo.</summary>
public sealed class Todo
{
    /// <summary>Id.</summary>
    public long Id { get; set; }

    /// <summary>Title.</summary>
    public required string Title { get; set; }

    /// <summary>Done.</summary>
    public bool Done { get; set; }
}

/// <summary>Body of POST /todos.</summary>
public sealed record NewTodo(string Title);

/// <summary>A note.</summary>
public sealed record Note(long Id, string Body);

/// <summary>Body of POST /notes.</summary>
public sealed record NewNote(string Body);

/// <summary>Answer of POST /tenants/{id}.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="State">Its state (Ready).</param>
/// <param name="Region">Its Neon region.</param>
/// <param name="Outcome">How ProvisionAsync ended: claimed (a warm-pool project), created, adopted, resumed, or existing (already provisioned).</param>
/// <param name="FromPool">Whether the tenant got a warm-pool project (outcome claimed).</param>
/// <param name="ElapsedMs">How long ProvisionAsync took, in milliseconds.</param>
public sealed record TenantCreated(string TenantId, string State, string? Region, string Outcome, bool FromPool, double ElapsedMs);
