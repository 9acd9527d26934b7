using System.Text.Json;
using Neon.Tenancy.Api;

namespace Neon.Tenancy.Testing.Internal;

/// <summary>
/// Restoring a snapshot onto a new branch, finalizing that restore (the computes of the branch it replaces move onto it),
/// and deleting a branch (how a preview is discarded). When backed by PostgreSQL a restored branch's databases are
/// copies of the snapshot's, and finalizing swaps real database names, so the URIs of the replaced branch's computes now
/// reach the restored data, as Neon's endpoint hosts do.
/// </summary>
internal sealed partial class FakeNeon
{
    private void MapSnapshotRestore(FakeRouter router)
    {
        router.Map("POST", SnapshotPath + "/restore", RestoreSnapshotAsync);
        router.Map("POST", BranchPath + "/finalize_restore", FinalizeRestoreAsync);
        router.Map("DELETE", BranchPath, DeleteBranchAsync);
    }

    private static T? ReadOptionalBody<T>(FakeRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) where T : class =>
        string.IsNullOrWhiteSpace(request.Body) ? null : JsonSerializer.Deserialize(request.Body, typeInfo);

    private async Task<FakeResponse> RestoreSnapshotAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var snapshot = SnapshotOf(project, request.Route("snapshot_id"));
        var body = ReadOptionalBody(request, NeonApiJsonContext.Default.RestoreSnapshotRequest) ?? new RestoreSnapshotRequest();
        var targetId = body.TargetBranchId ?? snapshot.Snapshot.SourceBranchId ?? throw new FakeApiException(400, "target_branch_id is required");
        var target = BranchOf(project, targetId);
        EnsureNotLocked(project);

        var now = Now;
        var name = body.Name ?? request.QueryValue("name") ?? $"{snapshot.Snapshot.Name} (restored)";
        var restored = NewBranch(project.Project.Id, name, isDefault: false, now);
        restored.Branch.CreationSource = "restore";
        restored.Branch.RestoredFrom = snapshot.Snapshot.Id;
        restored.Branch.RestoreStatus = "restored";
        restored.RestoreTargetId = target.Branch.Id;
        foreach (var role in snapshot.Roles)
        {
            restored.Roles.Add(new FakeRole
            {
                Role = new Role { BranchId = restored.Branch.Id, Name = role.Role.Name, Protected = role.Role.Protected, AuthenticationMethod = role.Role.AuthenticationMethod, CreatedAt = now, UpdatedAt = now },
                Password = CurrentPassword(project, role),
                RealName = role.RealName,
            });
        }

        foreach (var (databaseName, ownerName, copy) in snapshot.Databases)
        {
            var owner = restored.Roles.FirstOrDefault(r => r.Role.Name == ownerName);
            var database = new FakeDatabase
            {
                Database = new Database { Id = project.NextDatabaseId++, BranchId = restored.Branch.Id, Name = databaseName, OwnerName = ownerName, CreatedAt = now, UpdatedAt = now },
                RealName = _postgres is not null && copy is not null && owner?.RealName is not null ? NewRealDatabaseName(project.Project.Id, databaseName) : null,
            };
            if (database.RealName is not null)
            {
                await _postgres!.CopyDatabaseAsync(copy!, database.RealName, owner!.RealName!, sourceConnectable: false, targetConnectable: !project.QuotaSuspended,
                    CancellationToken.None).ConfigureAwait(false);
            }

            restored.Databases.Add(database);
        }

        project.Branches.Add(restored);
        var operations = new List<Operation> { StartOperation(project, OperationAction.CreateBranch, restored.Branch.Id, null) };
        if (body.FinalizeRestore == true)
        {
            operations.AddRange(await FinalizeAsync(project, restored, target, oldName: null).ConfigureAwait(false));
        }
        else
        {
            // A preview: its own compute, so its data can be inspected while the project keeps serving the target branch.
            var endpoint = NewEndpoint(project.Project, restored.Branch.Id, now);
            endpoint.CurrentState = project.QuotaSuspended ? EndpointState.Idle : EndpointState.Active;
            project.Endpoints.Add(endpoint);
            operations.Add(StartOperation(project, OperationAction.StartCompute, restored.Branch.Id, endpoint.Id));
        }

        return FakeResponse.Json(200, new RestoreSnapshotResponse
        {
            Branch = restored.Branch,
            Endpoints = [.. project.Endpoints.Where(e => e.BranchId == restored.Branch.Id)],
            Operations = operations,
        }, NeonApiJsonContext.Default.RestoreSnapshotResponse);
    }

    private async Task<FakeResponse> FinalizeRestoreAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var restored = BranchOf(project, request.Route("branch_id"));
        var body = ReadOptionalBody(request, NeonApiJsonContext.Default.FinalizeRestoreBranchRequest);
        if (restored.Branch.RestoreStatus != "restored" || restored.RestoreTargetId is null)
        {
            throw new FakeApiException(400, $"branch {restored.Branch.Id} is not a branch restored from a snapshot awaiting finalization");
        }

        var target = project.Branches.FirstOrDefault(b => b.Branch.Id == restored.RestoreTargetId)
            ?? throw new FakeApiException(400, $"branch {restored.RestoreTargetId}, which the restore replaces, no longer exists");
        EnsureNotLocked(project);
        var operations = await FinalizeAsync(project, restored, target, body?.Name).ConfigureAwait(false);
        return FakeResponse.Json(200, new OperationsResponse { Operations = operations }, NeonApiJsonContext.Default.OperationsResponse);
    }

    /// <summary>
    /// Neon's finalize: the target's computes move onto the restored branch (restarting), the restored branch takes the
    /// target's name (and default flag), the target is renamed. The restored branch's own preview compute is removed
    /// (a branch has one read-write compute).
    /// </summary>
    private async Task<List<Operation>> FinalizeAsync(FakeProject project, FakeBranch restored, FakeBranch target, string? oldName)
    {
        var now = Now;
        var operations = new List<Operation>();
        var moved = project.Endpoints.Where(e => e.BranchId == target.Branch.Id).ToList();
        if (moved.Count > 0)
        {
            CloseComputes(project.Endpoints.Where(e => e.BranchId == restored.Branch.Id).ToList());
            project.Endpoints.RemoveAll(e => e.BranchId == restored.Branch.Id);
            if (_postgres is not null)
            {
                await SwapRealDatabasesAsync(project, restored, target).ConfigureAwait(false);
            }

            foreach (var endpoint in moved)
            {
                endpoint.BranchId = restored.Branch.Id;
                endpoint.UpdatedAt = now;
                _proxy?.Suspend(endpoint.Id); // restarted onto the restored branch: the next connection waits for it
                operations.Add(StartOperation(project, OperationAction.StartCompute, restored.Branch.Id, endpoint.Id));
            }
        }

        restored.Branch.Name = target.Branch.Name;
        target.Branch.Name = string.IsNullOrEmpty(oldName) ? $"{target.Branch.Name}_old_{Iso(now)}" : oldName;
        if (target.Branch.Default)
        {
            (target.Branch.Default, target.Branch.Primary) = (false, false);
            (restored.Branch.Default, restored.Branch.Primary) = (true, true);
        }

        restored.Branch.RestoreStatus = "finalized";
        restored.Branch.RestoredAs = target.Branch.Id;
        restored.RestoreTargetId = null;
        restored.Branch.UpdatedAt = target.Branch.UpdatedAt = now;
        return operations;
    }

    /// <summary>
    /// The target's databases get fresh names; the restored branch's databases take the names the target's had, so
    /// connection URIs handed out for the moved computes reach the restored data. Open connections to both end (57P01).
    /// </summary>
    private async Task SwapRealDatabasesAsync(FakeProject project, FakeBranch restored, FakeBranch target)
    {
        var connectable = !project.QuotaSuspended;
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var database in target.Databases.Where(d => d.RealName is not null))
        {
            var fresh = NewRealDatabaseName(project.Project.Id, database.Database.Name);
            await _postgres!.RenameDatabaseAsync(database.RealName!, fresh, connectable, CancellationToken.None).ConfigureAwait(false);
            previous[database.Database.Name] = database.RealName!;
            database.RealName = fresh;
        }

        foreach (var database in restored.Databases.Where(d => d.RealName is not null))
        {
            if (previous.TryGetValue(database.Database.Name, out var name))
            {
                await _postgres!.RenameDatabaseAsync(database.RealName!, name, connectable, CancellationToken.None).ConfigureAwait(false);
                database.RealName = name;
            }
        }
    }

    private async Task<FakeResponse> DeleteBranchAsync(FakeRequest request)
    {
        var project = LiveProject(request.Route("project_id"));
        var branch = BranchOf(project, request.Route("branch_id"));
        if (branch.Branch.Default)
        {
            throw new FakeApiException(400, "cannot delete the project's default branch");
        }

        if (project.Branches.Any(b => b.Branch.ParentId == branch.Branch.Id))
        {
            throw new FakeApiException(400, "cannot delete a branch that has child branches");
        }

        EnsureNotLocked(project);
        var operations = new List<Operation>();
        foreach (var endpoint in project.Endpoints.Where(e => e.BranchId == branch.Branch.Id))
        {
            operations.Add(StartOperation(project, OperationAction.SuspendCompute, branch.Branch.Id, endpoint.Id));
        }

        operations.Add(StartOperation(project, OperationAction.DeleteTimeline, branch.Branch.Id, null));
        CloseComputes(project.Endpoints.Where(e => e.BranchId == branch.Branch.Id).ToList());
        project.Endpoints.RemoveAll(e => e.BranchId == branch.Branch.Id);
        project.Branches.Remove(branch);
        if (_postgres is not null)
        {
            // The roles are shared with the project's other branches (PostgreSQL roles are cluster-wide): only databases go.
            await _postgres.DropAsync([.. branch.Databases.Select(d => d.RealName).OfType<string>()], [], CancellationToken.None).ConfigureAwait(false);
        }

        return FakeResponse.Json(200, new BranchOperations { Branch = branch.Branch, Operations = operations }, NeonApiJsonContext.Default.BranchOperations);
    }

    /// <summary>The role's password as the project's live branches know it (a reset on one branch changes the shared real role).</summary>
    private static string CurrentPassword(FakeProject project, FakeRole role) =>
        role.RealName is null
            ? role.Password
            : project.Branches.SelectMany(b => b.Roles).FirstOrDefault(r => r.RealName == role.RealName)?.Password ?? role.Password;
}
