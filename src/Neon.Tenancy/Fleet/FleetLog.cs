using Microsoft.Extensions.Logging;

namespace Neon.Tenancy;

/// <summary>Fleet engine log messages: event ids 8000-8099. Errors are the ledger's descriptions (no secret); tenant ids and run ids are not secrets.</summary>
internal static partial class FleetLog
{
    [LoggerMessage(EventId = NeonTenancyEventId.FleetRunStarted, EventName = nameof(NeonTenancyEventId.FleetRunStarted), Level = LogLevel.Information, Message = "Fleet run {RunId} ({Work}): {ToRun} tenant(s) to work on in {Waves} wave(s), {Skipped} skipped, {Deferred} deferred")]
    public static partial void RunStarted(ILogger logger, string runId, string work, int toRun, int waves, int skipped, int deferred);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetRunJoined, EventName = nameof(NeonTenancyEventId.FleetRunJoined), Level = LogLevel.Information, Message = "Fleet run {RunId} ({Work}): continuing the recorded run ({Pending} pending, {Running} running elsewhere, parallelism {Parallelism})")]
    public static partial void RunJoined(ILogger logger, string runId, string work, int pending, int running, int parallelism);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetNothingToDo, EventName = nameof(NeonTenancyEventId.FleetNothingToDo), Level = LogLevel.Information, Message = "Fleet run {RunId} ({Work}): nothing to do; {Skipped} tenant(s) read, none touched, nothing recorded")]
    public static partial void NothingToDo(ILogger logger, string runId, string work, int skipped);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetWaveStarted, EventName = nameof(NeonTenancyEventId.FleetWaveStarted), Level = LogLevel.Information, Message = "Fleet run {RunId}: wave {Wave} of {Waves} started")]
    public static partial void WaveStarted(ILogger logger, string runId, int wave, int waves);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetTenantSucceeded, EventName = nameof(NeonTenancyEventId.FleetTenantSucceeded), Level = LogLevel.Debug, Message = "Fleet run {RunId}: tenant {TenantId} {Outcome} in {ElapsedMilliseconds:0} ms (attempt {Attempt})")]
    public static partial void TenantSucceeded(ILogger logger, string runId, string tenantId, FleetTenantOutcome outcome, double elapsedMilliseconds, int attempt);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetTenantRetrying, EventName = nameof(NeonTenancyEventId.FleetTenantRetrying), Level = LogLevel.Warning, Message = "Fleet run {RunId}: tenant {TenantId} failed transiently (attempt {Attempt} of {MaxAttempts}); retried after {Backoff}: {Error}")]
    public static partial void TenantRetrying(ILogger logger, string runId, string tenantId, int attempt, int maxAttempts, TimeSpan backoff, string error);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetTenantParked, EventName = nameof(NeonTenancyEventId.FleetTenantParked), Level = LogLevel.Error, Message = "Fleet run {RunId}: tenant {TenantId} parked after attempt {Attempt}; the others go on: {Error}")]
    public static partial void TenantParked(ILogger logger, string runId, string tenantId, int attempt, string error);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetLeaseLost, EventName = nameof(NeonTenancyEventId.FleetLeaseLost), Level = LogLevel.Warning, Message = "Fleet run {RunId}: tenant {TenantId}'s lease had passed and another worker took it over; this attempt's outcome ({Outcome}) is not recorded")]
    public static partial void LeaseLost(ILogger logger, string runId, string tenantId, FleetTenantState outcome);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetRunHalted, EventName = nameof(NeonTenancyEventId.FleetRunHalted), Level = LogLevel.Error, Message = "Fleet run {RunId} halted: {Reason}")]
    public static partial void RunHalted(ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetRunEnded, EventName = nameof(NeonTenancyEventId.FleetRunEnded), Level = LogLevel.Information, Message = "Fleet run {RunId} {State} on this instance after {Elapsed}: {Succeeded} succeeded, {Parked} parked, {Skipped} skipped, {Deferred} deferred, {Pending} pending, {Running} running")]
    public static partial void RunEnded(ILogger logger, string runId, FleetRunState state, TimeSpan elapsed, int succeeded, int parked, int skipped, int deferred, int pending, int running);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetLedgerFailed, EventName = nameof(NeonTenancyEventId.FleetLedgerFailed), Level = LogLevel.Warning, Message = "Fleet run {RunId}: the ledger could not be {Action}; the lease runs out and another attempt takes the tenant")]
    public static partial void LedgerFailed(ILogger logger, Exception exception, string runId, string action);

    [LoggerMessage(EventId = NeonTenancyEventId.FleetProgressFailed, EventName = nameof(NeonTenancyEventId.FleetProgressFailed), Level = LogLevel.Warning, Message = "Fleet run {RunId}: the progress handler threw; the run goes on")]
    public static partial void ProgressFailed(ILogger logger, Exception exception, string runId);
}
