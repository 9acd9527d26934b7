using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

internal sealed class FakeProject
{
    public required Project Project { get; init; }

    public required long Sequence { get; init; }

    public List<FakeBranch> Branches { get; } = [];

    public List<Endpoint> Endpoints { get; } = [];

    public List<FakeOperation> Operations { get; } = [];

    public List<(DateTimeOffset At, string Metric, long Value)> Consumption { get; } = [];

    public List<FakeSnapshot> Snapshots { get; } = [];

    public DateTimeOffset? DeletedAt { get; set; }

    public bool QuotaSuspended { get; set; }

    public long NextDatabaseId { get; set; } = 1;

    public FakeBranch DefaultBranch => Branches.First(b => b.Branch.Default);

    /// <summary>Real database names of the project's branches (snapshot copies are not included: nobody connects to them).</summary>
    public IEnumerable<string> RealDatabases => Branches.SelectMany(b => b.Databases).Select(d => d.RealName).OfType<string>();

    public IEnumerable<string> RealRoles => Branches.SelectMany(b => b.Roles).Select(r => r.RealName).OfType<string>();
}

internal sealed class FakeBranch
{
    public required Branch Branch { get; init; }

    public List<FakeRole> Roles { get; } = [];

    public List<FakeDatabase> Databases { get; } = [];

    /// <summary>The backup schedule (<c>PUT .../backup_schedule</c>); its snapshots are taken as requests arrive.</summary>
    public BackupSchedule Schedule { get; set; } = new();

    /// <summary>When the schedule was last checked for due snapshots (first: when it was put); null while none was put.</summary>
    public DateTimeOffset? ScheduleCheckedAt { get; set; }

    /// <summary>For a branch restored from a snapshot and not yet finalized: the branch whose computes it takes over.</summary>
    public string? RestoreTargetId { get; set; }
}

internal sealed class FakeRole
{
    public required Role Role { get; init; }

    public required string Password { get; set; }

    /// <summary>The PostgreSQL role, or null when the branch is not backed by PostgreSQL.</summary>
    public string? RealName { get; init; }

    public Role WithPassword(bool include) => new()
    {
        BranchId = Role.BranchId,
        Name = Role.Name,
        Password = include ? Password : null,
        Protected = Role.Protected,
        AuthenticationMethod = Role.AuthenticationMethod,
        CreatedAt = Role.CreatedAt,
        UpdatedAt = Role.UpdatedAt,
    };
}

internal sealed class FakeDatabase
{
    public required Database Database { get; init; }

    /// <summary>The PostgreSQL database, or null when the branch is not backed by PostgreSQL. Changes when a restore is finalized.</summary>
    public string? RealName { get; set; }
}

/// <summary>A snapshot: the API's view and, when backed, one PostgreSQL copy per database of the source branch.</summary>
internal sealed class FakeSnapshot
{
    public required Snapshot Snapshot { get; init; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The source branch's databases at the snapshot (API name, owner, and the real copy or null).</summary>
    public List<(string Name, string OwnerName, string? RealCopy)> Databases { get; } = [];

    /// <summary>The source branch's roles at the snapshot (restored branches get them back).</summary>
    public List<FakeRole> Roles { get; } = [];
}

internal sealed class FakeOperation
{
    public required Operation Operation { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    public string? FailWith { get; init; }

    public bool Ended => NeonStatus.IsEnded(Operation.Status);

    /// <summary>scheduling for the first half of the duration, running for the second, then finished (or failed).</summary>
    public void Refresh(DateTimeOffset now)
    {
        if (Ended)
        {
            return;
        }

        var elapsed = now - StartedAt;
        if (elapsed >= Duration)
        {
            Operation.Status = FailWith is null ? OperationStatus.Finished : OperationStatus.Failed;
            Operation.Error = FailWith;
            Operation.UpdatedAt = StartedAt + Duration;
            Operation.TotalDurationMs = (int)Math.Min(int.MaxValue, Duration.TotalMilliseconds);
        }
        else if (elapsed.Ticks * 2 >= Duration.Ticks)
        {
            if (Operation.Status != OperationStatus.Running)
            {
                Operation.Status = OperationStatus.Running;
                Operation.UpdatedAt = StartedAt + (Duration / 2);
            }
        }
    }
}

internal static class NeonStatus
{
    public static bool IsEnded(OperationStatus status) =>
        status == OperationStatus.Finished || status == OperationStatus.Skipped || status == OperationStatus.Failed
        || status == OperationStatus.Error || status == OperationStatus.Cancelled;
}
