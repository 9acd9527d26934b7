namespace Neon.Tenancy.Tests.Infrastructure;

/// <summary>Makes the holder of one advisory lock "die" as a crashed process would: its session ends without unlocking.</summary>
internal static class AdvisoryLockHolders
{
    /// <summary>Terminates the sessions of this database holding the bigint advisory lock <paramref name="key"/>; returns how many.</summary>
    public static async Task<long> TerminateAsync(PostgresDatabaseFixture database, long key) =>
        await database.ScalarAsync<long>(
            "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND d.datname = current_database() " +
            "AND ((l.classid::bigint << 32) | l.objid::bigint) = $1",
            key);
}
