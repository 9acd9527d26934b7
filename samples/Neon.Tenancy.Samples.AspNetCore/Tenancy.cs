using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Neon.Tenancy.Samples.AspNetCore;

/// <summary>
/// Sets the request's tenant from the <c>X-Tenant-Id</c> header, or else the first label of the host name; for
/// <c>/todos</c> it also opens the request's connection, so that the EF Core options callback can read it synchronously.
/// </summary>
internal sealed class TenantMiddleware(RequestDelegate next)
{
    public const string Header = "X-Tenant-Id";

    public async Task InvokeAsync(HttpContext context, ITenantContext tenant)
    {
        var raw = context.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(raw))
        {
            raw = FromHost(context.Request.Host.Host);
        }

        if (string.IsNullOrEmpty(raw))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "Tenant required", $"Send the tenant id in the {Header} header or as the first label of the host name (acme.example.com).");
            return;
        }

        if (!TenantId.TryParse(raw, out var tenantId))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "Invalid tenant id", "Tenant ids are 1 to 63 characters of a-z, 0-9 and '-'.");
            return;
        }

        tenant.SetTenant(tenantId);
        if (context.Request.Path.StartsWithSegments("/todos"))
        {
            await tenant.GetConnectionAsync(context.RequestAborted);
        }

        await next(context);
    }

    /// <summary>acme.example.com -> acme; a bare host (localhost) or an IP address names no tenant.</summary>
    private static string? FromHost(string host)
    {
        var labels = host.Split('.');
        return labels.Length >= 3 && !System.Net.IPAddress.TryParse(host, out _) ? labels[0] : null;
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}

/// <summary>Turns Neon.Tenancy's exceptions into problem details: unknown tenant 404, not ready 409, overloaded 503.</summary>
internal sealed class TenantExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            TenantNotFoundException => (StatusCodes.Status404NotFound, "Unknown tenant"),
            TenantStateException => (StatusCodes.Status409Conflict, "Tenant not ready"),
            TenantIdFormatException => (StatusCodes.Status400BadRequest, "Invalid tenant id"),
            TenantConnectionBudgetExceededException or TenantUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Tenant database busy"),
            _ => (0, null),
        };
        if (title is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = exception.Message },
        });
    }
}

/// <summary>The sample's schema, created in each new tenant database by the provisioner (idempotent).</summary>
internal sealed class SampleSchema : ITenantDatabaseInitializer
{
    public async Task<int> InitializeAsync(TenantInitializationContext context, CancellationToken cancellationToken)
    {
        // A one-off connection as the owner: not pooled, or every sign-up would leave an idle connection open, outside
        // the connection factory's budget, until Npgsql's idle lifetime closes it.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(context.DirectConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            CREATE TABLE IF NOT EXISTS notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);
            CREATE TABLE IF NOT EXISTS todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false);
            """,
            connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return 1;
    }
}
