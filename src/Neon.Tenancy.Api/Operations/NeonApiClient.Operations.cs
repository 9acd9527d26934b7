using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

public sealed partial class NeonApiClient
{
    /// <summary>
    /// Waits until every operation has <c>finished</c> or been <c>skipped</c>, polling each one that has not ended
    /// every <see cref="NeonApiOptions.OperationPollInterval"/> (or first after <paramref name="firstPoll"/>, then
    /// doubling up to it). A resource Neon reports as created is ready only when the operations that created it have
    /// ended.
    /// </summary>
    /// <param name="operations">The operations a mutation returned (any project; already ended ones cost no call).</param>
    /// <param name="timeout">How long to wait; <see cref="NeonApiOptions.OperationTimeout"/> when null.</param>
    /// <param name="firstPoll">
    /// The delay before the first poll, for a wait someone is waiting on (a sign-up) whose operations usually end in well
    /// under a second, at the cost of a few more requests when they do not; <see langword="null"/> (the default) =
    /// <see cref="NeonApiOptions.OperationPollInterval"/> throughout. At least 1 ms.
    /// </param>
    /// <param name="cancellationToken">A token that cancels the wait.</param>
    /// <returns>The operations in their final state, in the order given.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstPoll"/> is below 1 ms.</exception>
    /// <exception cref="NeonOperationFailedException">An operation ended <c>failed</c>, <c>error</c> or <c>cancelled</c>.</exception>
    /// <exception cref="NeonOperationTimeoutException">The deadline passed; the exception carries the operations still running.</exception>
    /// <exception cref="NeonMalformedResponseException">An operation has no id or project id (a malformed answer), or a poll's answer was malformed.</exception>
    /// <exception cref="NeonApiException">Polling failed.</exception>
    public async Task<IReadOnlyList<Operation>> WaitForOperationsAsync(IEnumerable<Operation> operations, TimeSpan? timeout = null, TimeSpan? firstPoll = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (firstPoll is { } first)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(first, TimeSpan.FromMilliseconds(1), nameof(firstPoll));
        }

        var current = operations.ToArray();
        if (NeonResponseReader.FindOperationWithoutId(current, "operations") is { } malformed)
        {
            // They came from a Neon answer: without ids they cannot be polled (the generated client would reject the id).
            throw new NeonMalformedResponseException(
                $"Neon answered with {malformed.What} at {malformed.Path}: it cannot be waited for", field: malformed.Path);
        }

        var wait = timeout ?? Options.OperationTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));

        var interval = Options.OperationPollInterval;
        var delay = firstPoll is { } eager && eager < interval ? eager : interval;
        var deadline = _timeProvider.GetTimestamp() + (long)(wait.TotalSeconds * _timeProvider.TimestampFrequency);
        using var deadlineSource = new CancellationTokenSource(wait, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineSource.Token);
        try
        {
            while (true)
            {
                var pending = 0;
                for (var i = 0; i < current.Length; i++)
                {
                    if (current[i].Status.HasFailed)
                    {
                        throw new NeonOperationFailedException(current[i], KnownApiKeys);
                    }

                    pending += current[i].Status.HasSucceeded ? 0 : 1;
                }

                if (pending == 0)
                {
                    return current;
                }

                var left = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero)
                {
                    throw new NeonOperationTimeoutException(Pending(current), wait);
                }

                await Task.Delay(delay < left ? delay : left, _timeProvider, linked.Token).ConfigureAwait(false);
                delay = delay * 2 < interval ? delay * 2 : interval;
                for (var i = 0; i < current.Length; i++)
                {
                    if (!current[i].Status.HasSucceeded)
                    {
                        var polled = await Operations.GetProjectOperationAsync(current[i].ProjectId, current[i].Id, linked.Token).ConfigureAwait(false);
                        current[i] = polled.Operation;
                    }
                }
            }
        }
        catch (OperationCanceledException ex) when (deadlineSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NeonOperationTimeoutException(Pending(current), wait, ex);
        }
    }

    /// <summary>
    /// Waits until the project runs no operation, whoever started it (the console, another tool, an abandoned call),
    /// polling its newest operations every <see cref="NeonApiOptions.OperationPollInterval"/>. How those operations end
    /// is not this wait's business: a failed one has ended too. A project Neon does not know runs nothing.
    /// </summary>
    /// <remarks>
    /// What a mutation waits for first: Neon refuses any mutation of a project with running operations (423), and an
    /// operation started elsewhere can outlast the 423 retries.
    /// </remarks>
    /// <param name="projectId">The project.</param>
    /// <param name="timeout">How long to wait; <see cref="NeonApiOptions.OperationTimeout"/> when null.</param>
    /// <param name="cancellationToken">A token that cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="projectId"/> is empty.</exception>
    /// <exception cref="NeonOperationTimeoutException">Operations were still running at the deadline; it carries them.</exception>
    /// <exception cref="NeonApiException">Listing the operations failed.</exception>
    public async Task WaitForProjectOperationsAsync(string projectId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        var wait = timeout ?? Options.OperationTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));

        var started = _timeProvider.GetTimestamp();
        while (true)
        {
            IReadOnlyList<Operation> running;
            try
            {
                running = await Operations.GetRunningProjectOperationsAsync(projectId, cancellationToken).ConfigureAwait(false);
            }
            catch (NeonNotFoundException)
            {
                return;
            }

            if (running.Count == 0)
            {
                return;
            }

            var left = wait - _timeProvider.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new NeonOperationTimeoutException(running, wait);
            }

            var interval = Options.OperationPollInterval;
            await Task.Delay(interval < left ? interval : left, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Operation[] Pending(Operation[] operations) => [.. operations.Where(o => !o.Status.HasSucceeded)];
}
