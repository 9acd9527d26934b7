using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Neon.Tenancy.Api.Models;

namespace Neon.Tenancy.Api;

/// <summary>
/// Reads a successful answer into its model, and turns every way the body can be unusable into one
/// <see cref="NeonMalformedResponseException"/> that says what was wrong and where: empty, truncated (fewer bytes than
/// <c>Content-Length</c>, or JSON cut off), not JSON, a value of the wrong type, a required field missing or null
/// (required = a non-nullable property of the response model, at the root of the answer), an operation without an id.
/// </summary>
/// <remarks>
/// The body is read whole into a pooled buffer first (Neon's answers are small; nothing is allocated for it), so that a
/// failed parse can be told apart: truncated or invalid. The checks walk the source-generated metadata; no reflection. No content of the body reaches a message,
/// and no <see cref="JsonException"/> is kept as the inner exception (its message can quote the body).
/// </remarks>
internal static class NeonResponseReader
{
    private const int MaxDepth = 64;

    /// <summary>The first buffer when the length is unknown; it doubles as needed.</summary>
    private const int DefaultInitialBuffer = 16 * 1024;

    /// <summary>A declared length up to this sizes the first buffer exactly (one byte more, to see the end).</summary>
    private const int MaxInitialBuffer = 1024 * 1024;

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, TimeSpan attemptTimeout,
        TimeProvider timeProvider, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        // This read gets the same bound as one attempt, on the same clock (one source on the system clock, as before).
        using var timer = timeProvider == TimeProvider.System ? null : new CancellationTokenSource(attemptTimeout, timeProvider);
        using var readTimeout = timer is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        if (timer is null)
        {
            readTimeout.CancelAfter(attemptTimeout);
        }

        var declared = response.Content.Headers.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 and <= MaxInitialBuffer ? (int)declared.Value + 1 : DefaultInitialBuffer);
        try
        {
            var count = 0;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(readTimeout.Token).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    while (true)
                    {
                        if (count == buffer.Length)
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, count).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        var read = await stream.ReadAsync(buffer.AsMemory(count), readTimeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        count += read;
                    }
                }
            }
            catch (OperationCanceledException ex) when (readTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw NeonApiErrorFactory.BodyReadFailed(response, secrets, ex);
            }
            catch (Exception ex) when (EndedEarly(ex))
            {
                throw Truncated(response, "the connection closed before the end of the body", secrets, ex);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw NeonApiErrorFactory.BodyReadFailed(response, secrets, ex);
            }

            return Parse(response, buffer.AsSpan(0, count), declared, typeInfo, secrets);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T Parse<T>(HttpResponseMessage response, ReadOnlySpan<byte> body, long? declared, JsonTypeInfo<T> typeInfo, IReadOnlyList<string> secrets)
    {
        if (declared is { } length && body.Length < length)
        {
            throw Truncated(response, string.Create(CultureInfo.InvariantCulture, $"{body.Length} of {length} bytes (Content-Length) arrived"), secrets, null);
        }

        if (body.Length == 0)
        {
            throw NeonApiErrorFactory.MalformedResponse(response, "the body is empty where JSON was expected", null, isTruncated: false, secrets, null);
        }

        switch (CheckSyntax(body, out var syntaxError))
        {
            case Syntax.Truncated:
                throw Truncated(response, string.Create(CultureInfo.InvariantCulture, $"the JSON breaks off after {body.Length} bytes"), secrets, null);
            case Syntax.Invalid:
                throw NeonApiErrorFactory.MalformedResponse(response, string.Create(CultureInfo.InvariantCulture,
                    $"the body is not JSON (invalid at line {syntaxError!.LineNumber + 1}, byte {syntaxError.BytePositionInLine + 1})"), null, isTruncated: false, secrets, null);
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException ex)
        {
            // Not kept as the inner exception: System.Text.Json's messages can quote the body.
            throw NeonApiErrorFactory.MalformedResponse(response, "a value is not of the documented type", ex.Path ?? "$", isTruncated: false, secrets, null);
        }

        if (value is null)
        {
            throw NeonApiErrorFactory.MalformedResponse(response, "the body is JSON null", "$", isTruncated: false, secrets, null);
        }

        if (FindMissing(value, typeInfo) is { } missing)
        {
            throw NeonApiErrorFactory.MalformedResponse(response, missing.What, missing.Path, isTruncated: false, secrets, null);
        }

        return value;
    }

    /// <summary>The first operation in <paramref name="operations"/> without an id or project id, as a JSON path and what is wrong.</summary>
    internal static (string Path, string What)? FindOperationWithoutId(IReadOnlyList<Operation> operations, string path)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
            if (operations[i] is not { } operation)
            {
                return (at, "an operation is null");
            }

            if (CheckOperation(operation, at) is { } missing)
            {
                return missing;
            }
        }

        return null;
    }

    /// <summary>Whether the body broke off: the connection ended before Content-Length (or the chunked end) was reached.</summary>
    private static bool EndedEarly(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
            {
                return true;
            }
        }

        return false;
    }

    private static NeonMalformedResponseException Truncated(HttpResponseMessage response, string what, IReadOnlyList<string> secrets, Exception? inner) =>
        NeonApiErrorFactory.MalformedResponse(response, "the body is truncated: " + what, null, isTruncated: true, secrets, inner);

    private static (string Path, string What)? CheckOperation(Operation operation, string path) =>
        string.IsNullOrEmpty(operation.Id) ? (path + ".id", "an operation has no id")
        : string.IsNullOrEmpty(operation.ProjectId) ? (path + ".project_id", "an operation has no project id")
        : null;

    /// <summary>Reads the whole body as an unfinished block: an error means invalid JSON; running out before the root value ends means truncated.</summary>
    private static Syntax CheckSyntax(ReadOnlySpan<byte> body, out JsonException? error)
    {
        error = null;
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        var complete = false;
        try
        {
            while (reader.Read())
            {
                if (complete)
                {
                    // A second value after the root one.
                    error = new JsonException("Unexpected data after the JSON value.", null, 0, reader.TokenStartIndex);
                    return Syntax.Invalid;
                }

                complete = reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.PropertyName);
            }
        }
        catch (JsonException ex)
        {
            error = ex;
            return Syntax.Invalid;
        }

        if (complete)
        {
            return Syntax.Valid;
        }

        // A number at the very end is only complete when the block is final: confirm with a final read.
        var final = new Utf8JsonReader(body, isFinalBlock: true, state: default);
        try
        {
            while (final.Read())
            {
            }

            return Syntax.Valid;
        }
        catch (JsonException)
        {
            return Syntax.Truncated;
        }
    }

    /// <summary>
    /// The first required field missing or null, or operation without an id, in the answer, as a JSON path and what is
    /// wrong. Walks the source-generated metadata; allocates nothing unless it finds something (the path is built on
    /// the way back up).
    /// </summary>
    private static (string Path, string What)? FindMissing(object value, JsonTypeInfo typeInfo) =>
        Find(value, typeInfo, 0) is { } missing ? (missing.Path, missing.What) : null;

    private static Missing? Find(object value, JsonTypeInfo typeInfo, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        if (value is Operation operation)
        {
            if (string.IsNullOrEmpty(operation.Id))
            {
                return new Missing("an operation has no id", ".id");
            }

            if (string.IsNullOrEmpty(operation.ProjectId))
            {
                return new Missing("an operation has no project id", ".project_id");
            }
        }

        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                var properties = typeInfo.Properties;
                for (var i = 0; i < properties.Count; i++)
                {
                    var property = properties[i];
                    if (property.Get is not { } get || property.PropertyType.IsValueType)
                    {
                        continue;
                    }

                    var child = get(value);
                    if (child is null)
                    {
                        // Only the answer's own fields (what callers dereference first, e.g. created.Project): deeper
                        // "required" fields of the definition are not reliably sent (Neon and the fake omit some).
                        if (depth == 0 && !property.IsGetNullable)
                        {
                            return new Missing("a required field is missing or null", "." + property.Name);
                        }

                        continue;
                    }

                    if (child is not string && Find(child, typeInfo.Options.GetTypeInfo(property.PropertyType), depth + 1) is { } found)
                    {
                        return found.Under("." + property.Name);
                    }
                }

                return null;

            case JsonTypeInfoKind.Enumerable when typeInfo.ElementType is { IsValueType: false } elementType && elementType != typeof(string) && value is IList items:
                var elementInfo = typeInfo.Options.GetTypeInfo(elementType);
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is { } item && Find(item, elementInfo, depth + 1) is { } found)
                    {
                        return found.Under(string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
                    }
                }

                return null;

            default:
                return null;
        }
    }

    /// <summary>What is missing, and the path to it, built from the leaf up.</summary>
    private sealed class Missing(string what, string leaf)
    {
        private string _path = leaf;

        public string What { get; } = what;

        public string Path => "$" + _path;

        public Missing Under(string segment)
        {
            _path = segment + _path;
            return this;
        }
    }

    private enum Syntax
    {
        Valid,
        Invalid,
        Truncated,
    }
}
