namespace Neon.Tenancy.Tests.Hostile;

/// <summary>Secrets the hostile tests plant, and the check that none of them reaches a message.</summary>
internal static class HostileSecrets
{
    public const string ApiKey = "Hostile-ApiKey-5b1d7e0c-not-napi-shaped";

    public const string Password = "Hostile-Password-9c2f41aa";

    public const string ConnectionString = "Host=ep-hostile-1.us-east-2.aws.neon.tech;Database=neondb;Username=owner;Password=" + Password;

    /// <summary>
    /// The input itself, when it is worth asserting that a message does not echo it: anything beyond a plain name
    /// (a plain, reserved name such as <c>public</c> may well be named by the rule the message states).
    /// </summary>
    public static string? Hostile(string value) =>
        value.Length > 3 && !value.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_') ? value : null;

    /// <summary>Asserts that neither the message nor the full text of <paramref name="exception"/> carries a planted secret or <paramref name="extra"/>.</summary>
    public static void AssertNoSecret(Exception exception, params string?[] extra)
    {
        // Every message down the chain and every ToString() without its stack trace: the trace holds this checkout's
        // file paths, which may contain a hostile value such as "-tenant".
        var text = string.Join("\n", Chain(exception).Select(e => e.GetType().FullName + ": " + e.Message));
        foreach (var secret in new[] { ApiKey, Password, ConnectionString }.Concat(extra))
        {
            if (!string.IsNullOrEmpty(secret))
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
