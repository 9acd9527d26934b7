using System.Globalization;

namespace Neon.Tenancy.Testing.Contract;

/// <summary>
/// The contract's assertions, free of any test framework. Each names what it checked; values are printed with their
/// own <c>ToString</c> (<see cref="TenantRecord"/> prints secret lengths only) and byte fields by length only.
/// </summary>
internal static class Check
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new ContractCheckException($"{what}: expected {Show(expected)}, got {Show(actual)}.");
        }
    }

    public static void NotEqual<T>(T unexpected, T actual, string what)
    {
        if (EqualityComparer<T>.Default.Equals(unexpected, actual))
        {
            throw new ContractCheckException($"{what}: expected anything but {Show(unexpected)}.");
        }
    }

    public static void SequenceEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (!e.SequenceEqual(a))
        {
            throw new ContractCheckException($"{what}: expected [{string.Join(", ", e.Select(Show))}], got [{string.Join(", ", a.Select(Show))}].");
        }
    }

    public static void Bytes(ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> actual, string what)
    {
        if (!expected.Span.SequenceEqual(actual.Span))
        {
            throw new ContractCheckException($"{what}: expected {expected.Length} bytes, got {actual.Length} bytes with other contents (not printed).");
        }
    }

    public static void True(bool condition, string what)
    {
        if (!condition)
        {
            throw new ContractCheckException(what + ": expected true, got false.");
        }
    }

    public static void False(bool condition, string what)
    {
        if (condition)
        {
            throw new ContractCheckException(what + ": expected false, got true.");
        }
    }

    public static void Null<T>(T? actual, string what)
    {
        if (actual is not null)
        {
            throw new ContractCheckException($"{what}: expected null, got {Show(actual)}.");
        }
    }

    public static T NotNull<T>(T? actual, string what)
        where T : class =>
        actual ?? throw new ContractCheckException(what + ": expected a value, got null.");

    public static void InRange(int actual, int low, int high, string what)
    {
        if (actual < low || actual > high)
        {
            throw new ContractCheckException($"{what}: expected {low} to {high}, got {actual}.");
        }
    }

    /// <summary>Awaits <paramref name="action"/> and requires an exception of exactly type <typeparamref name="T"/>.</summary>
    public static async Task<T> ThrowsAsync<T>(Func<Task> action, string what)
        where T : Exception
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex.GetType() == typeof(T))
        {
            return (T)ex;
        }
        catch (Exception ex)
        {
            throw new ContractCheckException($"{what}: expected {typeof(T).Name}, got {ex.GetType().Name}: {ex.Message}");
        }

        throw new ContractCheckException($"{what}: expected {typeof(T).Name}, but nothing was thrown.");
    }

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
