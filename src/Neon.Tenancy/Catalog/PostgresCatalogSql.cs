namespace Neon.Tenancy;

/// <summary>
/// The catalog's SQL. Values always travel as parameters; the only interpolated parts are the schema and channel
/// names, which are validated identifiers (a-z, 0-9, '_') and quoted.
/// </summary>
internal sealed class PostgresCatalogSql
{
    public const int MaxSchemaLength = 48;

    private const string Columns =
        "tenant_id, state, plan, project_name, project_id, region, branch_id, endpoint_id, database_name, role_name, " +
        "schema_version, pooled_secret, direct_secret, created_at, updated_at, row_version, " +
        "app_role_name, app_pooled_secret, app_direct_secret, failure_reason, recoverable_until, plan_settings, pending_restore";

    private const string CheckpointColumns = "tenant_id, checkpoint_id, name, branch_id, created_at, metadata";

    /// <summary>The columns whose change is a connection change (version 1), then those version 2 added.</summary>
    private static readonly string[] ConnectionColumnsV1 = ["pooled_secret", "direct_secret", "project_id", "branch_id", "endpoint_id", "database_name", "role_name"];
    private static readonly string[] ApplicationRoleColumns = ["app_role_name", "app_pooled_secret", "app_direct_secret"];

    public PostgresCatalogSql(string schema)
    {
        if (!IsValidSchemaName(schema))
        {
            throw new ArgumentException("The catalog schema name must be 1 to 48 characters of a-z, 0-9 and '_', starting with a letter or '_'.", nameof(schema));
        }

        Schema = schema;
        Channel = schema + "_changes";
        var t = $"\"{schema}\".tenants";
        var c = $"\"{schema}\".checkpoints";
        var r = $"\"{schema}\".fleet_runs";
        var f = $"\"{schema}\".fleet_tenants";
        var w = $"\"{schema}\".warm_pool";

        Migrations =
        [
            // Version 1: the tenants table, its indexes and the change trigger.
            [
                $"""
                CREATE TABLE {t} (
                    tenant_id      text COLLATE "C" PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9]([a-z0-9-]{"{0,61}"}[a-z0-9])?$' AND strpos(tenant_id, '--') = 0),
                    state          text NOT NULL CHECK (state IN ('provisioning', 'ready', 'suspended', 'deleting', 'deleted', 'failed')),
                    plan           text NOT NULL,
                    project_name   text,
                    project_id     text,
                    region         text,
                    branch_id      text,
                    endpoint_id    text,
                    database_name  text,
                    role_name      text,
                    schema_version integer NOT NULL DEFAULT 0,
                    pooled_secret  bytea,
                    direct_secret  bytea,
                    created_at     timestamptz NOT NULL,
                    updated_at     timestamptz NOT NULL,
                    row_version    bigint NOT NULL
                )
                """,
                $"CREATE INDEX tenants_state_idx ON {t} (state, tenant_id)",
                $"CREATE INDEX tenants_plan_idx ON {t} (plan, tenant_id)",
                NotifyFunction(schema, "CREATE", ["plan"], ConnectionColumnsV1),
                $"CREATE TRIGGER tenants_notify AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION \"{schema}\".notify_tenant_change()",
            ],

            // Version 2: the application role and its secrets, the failure reason and the recovery deadline. Columns
            // are added (nullable, no default: no table rewrite) so existing catalogs upgrade in place; the trigger
            // also reports a change of the application role's secrets as a connection change.
            [
                $"ALTER TABLE {t} ADD COLUMN app_role_name text",
                $"ALTER TABLE {t} ADD COLUMN app_pooled_secret bytea",
                $"ALTER TABLE {t} ADD COLUMN app_direct_secret bytea",
                $"ALTER TABLE {t} ADD COLUMN failure_reason text",
                $"ALTER TABLE {t} ADD COLUMN recoverable_until timestamptz",
                NotifyFunction(schema, "CREATE OR REPLACE", ["plan"], [.. ConnectionColumnsV1, .. ApplicationRoleColumns]),
            ],

            // Version 3: a tenant's own plan settings (TenantRecord.Settings, JSON; null = its plan's). A change of them is
            // reported as a plan change, so the connection layer re-reads the pool size.
            [
                $"ALTER TABLE {t} ADD COLUMN plan_settings jsonb",
                NotifyFunction(schema, "CREATE OR REPLACE", ["plan", "plan_settings"], [.. ConnectionColumnsV1, .. ApplicationRoleColumns]),
            ],

            // Version 4: checkpoints (Neon snapshots recorded with the caller's metadata), removed with their tenant (a
            // table of their own: a fleet listing of tenants does not carry them), and the restore in progress.
            [
                $"""
                CREATE TABLE {c} (
                    tenant_id     text COLLATE "C" NOT NULL REFERENCES {t} (tenant_id) ON DELETE CASCADE,
                    checkpoint_id text COLLATE "C" NOT NULL,
                    name          text NOT NULL,
                    branch_id     text,
                    created_at    timestamptz NOT NULL,
                    metadata      jsonb NOT NULL,
                    PRIMARY KEY (tenant_id, checkpoint_id)
                )
                """,
                $"CREATE INDEX checkpoints_created_idx ON {c} (tenant_id, created_at, checkpoint_id)",

                // A restore in progress (TenantRecord.PendingRestore, JSON; null = none). Not a connection change: the
                // tenant's own connection columns change when the restore completes.
                $"ALTER TABLE {t} ADD COLUMN pending_restore jsonb",
            ],

            // Version 5: the fleet engine's ledger (PostgresFleetLedger): a run, and one row per tenant of the run, removed
            // with their run. No foreign key to tenants: a run outlives a tenant removed while it works. The partial index
            // serves the claim (the current wave's open rows in tenant order) and the current wave's min().
            [
                $"""
                CREATE TABLE {r} (
                    run_id      text COLLATE "C" PRIMARY KEY,
                    work        text NOT NULL,
                    waves       integer NOT NULL,
                    state       text NOT NULL CHECK (state IN ('running', 'completed', 'halted')),
                    halt_reason text,
                    created_at  timestamptz NOT NULL,
                    updated_at  timestamptz NOT NULL
                )
                """,
                $"""
                CREATE TABLE {f} (
                    run_id      text COLLATE "C" NOT NULL REFERENCES {r} (run_id) ON DELETE CASCADE,
                    tenant_id   text COLLATE "C" NOT NULL,
                    wave        integer NOT NULL,
                    state       text NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'parked', 'skipped', 'deferred')),
                    attempts    integer NOT NULL DEFAULT 0,
                    description text,
                    error       text,
                    owner       text,
                    lease_until timestamptz,
                    not_before  timestamptz,
                    started_at  timestamptz,
                    ended_at    timestamptz,
                    PRIMARY KEY (run_id, tenant_id)
                )
                """,
                $"CREATE INDEX fleet_tenants_open_idx ON {f} (run_id, wave, tenant_id) WHERE state IN ('pending', 'running')",
            ],

            // Version 6: the warm pool (PostgresWarmPoolStore): projects created under pool identities before anyone signs
            // up, one row each, claimed by a tenant in the transaction that binds the tenant's row to the project. No
            // foreign key to tenants: a claimed row outlives its claimer's removal until the replenisher cleans it up. The
            // claim index yields a pool's entries oldest first; a tenant holds at most one claim.
            [
                $"""
                CREATE TABLE {w} (
                    entry_id          text COLLATE "C" PRIMARY KEY CHECK (entry_id ~ '^[a-z0-9]{"{1,26}"}$'),
                    region            text COLLATE "C" NOT NULL,
                    plan_class        text COLLATE "C" NOT NULL,
                    state             text NOT NULL CHECK (state IN ('creating', 'ready', 'migrating', 'claimed', 'recycling')),
                    project_name      text NOT NULL,
                    project_id        text,
                    neon_region       text,
                    branch_id         text,
                    endpoint_id       text,
                    database_name     text NOT NULL,
                    role_name         text NOT NULL,
                    app_role_name     text,
                    pooled_secret     bytea,
                    direct_secret     bytea,
                    app_pooled_secret bytea,
                    app_direct_secret bytea,
                    schema_version    integer NOT NULL,
                    claimed_by        text COLLATE "C",
                    failure_reason    text,
                    created_at        timestamptz NOT NULL,
                    updated_at        timestamptz NOT NULL,
                    row_version       bigint NOT NULL
                )
                """,
                $"CREATE INDEX warm_pool_claim_idx ON {w} (state, region, plan_class, created_at, entry_id)",
                $"CREATE UNIQUE INDEX warm_pool_claimed_by_idx ON {w} (claimed_by) WHERE claimed_by IS NOT NULL",
            ],
        ];

        LockMigrations = "SELECT pg_advisory_xact_lock(hashtextextended('neon_tenancy.catalog:' || $1, 0))";
        CreateSchema = $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"";
        CreateVersionTable = $"CREATE TABLE IF NOT EXISTS \"{schema}\".schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)";
        ReadVersion = $"SELECT coalesce(max(version), 0) FROM \"{schema}\".schema_version";
        WriteVersion = $"INSERT INTO \"{schema}\".schema_version (version, applied_at) VALUES ($1, $2)";

        Reserve =
            $"INSERT INTO {t} (tenant_id, state, plan, project_name, region, schema_version, created_at, updated_at, row_version) " +
            $"VALUES ($1, 'provisioning', $2, $3, $4, 0, $5, $5, 1) ON CONFLICT (tenant_id) DO NOTHING RETURNING {Columns}";
        Get = $"SELECT {Columns} FROM {t} WHERE tenant_id = $1";
        List =
            $"SELECT {Columns} FROM {t} WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR plan = $2) " +
            "AND ($3::text IS NULL OR tenant_id > $3) ORDER BY tenant_id LIMIT $4";
        Update =
            $"UPDATE {t} SET state = $2, plan = $3, project_name = $4, project_id = $5, region = $6, branch_id = $7, endpoint_id = $8, " +
            "database_name = $9, role_name = $10, schema_version = $11, pooled_secret = $12, direct_secret = $13, updated_at = $14, " +
            "app_role_name = $16, app_pooled_secret = $17, app_direct_secret = $18, failure_reason = $19, recoverable_until = $20, plan_settings = $21, " +
            "pending_restore = $22, " +
            $"row_version = row_version + 1 WHERE tenant_id = $1 AND row_version = $15 RETURNING {Columns}";
        GetVersion = $"SELECT row_version FROM {t} WHERE tenant_id = $1";
        Remove = $"DELETE FROM {t} WHERE tenant_id = $1";
        Listen = $"LISTEN \"{Channel}\"";

        // Idempotent by id: a conflicting insert returns nothing and the stored row is read (ReadCheckpoint).
        AddCheckpoint =
            $"INSERT INTO {c} (tenant_id, checkpoint_id, name, branch_id, created_at, metadata) VALUES ($1, $2, $3, $4, $5, $6) " +
            $"ON CONFLICT (tenant_id, checkpoint_id) DO NOTHING RETURNING {CheckpointColumns}";
        ReadCheckpoint = $"SELECT {CheckpointColumns} FROM {c} WHERE tenant_id = $1 AND checkpoint_id = $2";
        ListCheckpoints = $"SELECT {CheckpointColumns} FROM {c} WHERE tenant_id = $1 ORDER BY created_at, checkpoint_id";
        RemoveCheckpoint = $"DELETE FROM {c} WHERE tenant_id = $1 AND checkpoint_id = $2";
    }

    public string Schema { get; }

    public string Channel { get; }

    /// <summary>Migration i brings the schema to version i + 1; each is a list of statements run in one transaction.</summary>
    public string[][] Migrations { get; }

    public int LatestVersion => Migrations.Length;

    public string LockMigrations { get; }

    public string CreateSchema { get; }

    public string CreateVersionTable { get; }

    public string ReadVersion { get; }

    public string WriteVersion { get; }

    public string Reserve { get; }

    public string Get { get; }

    public string List { get; }

    public string Update { get; }

    public string GetVersion { get; }

    public string Remove { get; }

    public string Listen { get; }

    public string AddCheckpoint { get; }

    public string ReadCheckpoint { get; }

    public string ListCheckpoints { get; }

    public string RemoveCheckpoint { get; }

    /// <summary>
    /// The change trigger's function. Payload: kind|version|state|flags(state, plan, connection)|tenant_id|plan; the plan
    /// goes last because it may contain '|'. A flag is 1 when any of its columns is distinct from before.
    /// </summary>
    private static string NotifyFunction(string schema, string create, string[] planColumns, string[] connectionColumns)
    {
        var channel = schema + "_changes";
        return $"""
            {create} FUNCTION "{schema}".notify_tenant_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    PERFORM pg_notify('{channel}', format('R|%s|%s|111|%s|%s', NEW.row_version, NEW.state, NEW.tenant_id, NEW.plan));
                ELSIF TG_OP = 'UPDATE' THEN
                    PERFORM pg_notify('{channel}', format('U|%s|%s|%s%s%s|%s|%s', NEW.row_version, NEW.state,
                        (OLD.state IS DISTINCT FROM NEW.state)::int,
                        ({Distinct(planColumns)})::int,
                        ({Distinct(connectionColumns)})::int,
                        NEW.tenant_id, NEW.plan));
                ELSE
                    PERFORM pg_notify('{channel}', format('D|%s|%s|101|%s|%s', OLD.row_version, OLD.state, OLD.tenant_id, OLD.plan));
                END IF;
                RETURN NULL;
            END
            $fn$
            """;

        static string Distinct(string[] columns) => string.Join(" OR ", columns.Select(c => $"OLD.{c} IS DISTINCT FROM NEW.{c}"));
    }

    public static bool IsValidSchemaName(string? schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Length > MaxSchemaLength || schema[0] is not (>= 'a' and <= 'z' or '_'))
        {
            return false;
        }

        foreach (var c in schema)
        {
            if (c is not (>= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
