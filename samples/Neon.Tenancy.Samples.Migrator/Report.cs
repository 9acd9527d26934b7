using System.Globalization;
using Spectre.Console;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>The tables: what will run, the plan of a dry run, the run's summary and its parked tenants.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Facts(IAnsiConsole console, IEnumerable<(string Name, string Value)> facts)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (name, value) in facts)
        {
            grid.AddRow(new Markup($"[bold]{Markup.Escape(name)}[/]"), new Text(value));
        }

        console.Write(new Padder(grid).Padding(2, 0, 0, 1));
    }

    /// <summary>How many tenants are at each schema version, per state: <c>30 ready (28 at v1, 2 at v4)</c>.</summary>
    public static string Census(IReadOnlyList<TenantRecord> tenants)
    {
        if (tenants.Count == 0)
        {
            return "none";
        }

        return string.Join("; ", tenants.GroupBy(t => t.State).OrderBy(g => g.Key).Select(state =>
            string.Create(Invariant, $"{state.Count()} {state.Key.ToString().ToLowerInvariant()} (")
            + string.Join(", ", state.GroupBy(t => t.SchemaVersion).OrderBy(g => g.Key).Select(v => string.Create(Invariant, $"{v.Count()} at v{v.Key}")))
            + ")"));
    }

    /// <summary>The dry run: every selected tenant, its wave, and what would be done or why not.</summary>
    public static void Plan(IAnsiConsole console, FleetPlan plan, FleetRunOptions options)
    {
        var canary = options.CanaryCount > 0 || options.CanaryShare > 0;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Plan of {Markup.Escape(plan.RunId)} ({Markup.Escape(plan.Work)}){(plan.Recorded ? ", from its ledger" : "")}")
            .AddColumn("tenant").AddColumn(new TableColumn("wave").RightAligned()).AddColumn("would").AddColumn("what");
        foreach (var entry in plan.Tenants)
        {
            var (would, colour) = entry.State switch
            {
                FleetTenantState.Pending or FleetTenantState.Running => ("migrate", "green"),
                FleetTenantState.Skipped => ("skip", "grey"),
                FleetTenantState.Deferred => ("defer", "yellow"),
                FleetTenantState.Succeeded => ("(done)", "green"),
                FleetTenantState.Parked => ("(parked)", "red"),
                _ => (entry.State.ToString(), "default"),
            };
            table.AddRow(
                new Text(entry.TenantId.Value),
                new Text(canary && entry.Wave == 0 ? "canary" : (entry.Wave + (canary ? 0 : 1)).ToString(Invariant)),
                new Markup($"[{colour}]{would}[/]"),
                new Text(entry.Description ?? ""));
        }

        console.Write(table);
        var skipped = plan.Tenants.Count(t => t.State == FleetTenantState.Skipped);
        var deferred = plan.Tenants.Count(t => t.State == FleetTenantState.Deferred);
        console.MarkupLineInterpolated(
            $"  Dry run: {plan.ToRun} tenant(s) would be migrated in {plan.Waves} wave(s); {skipped} skipped, {deferred} deferred. Nothing was changed.");
    }

    /// <summary>The run: counts, speed, parallelism and why it stopped.</summary>
    public static void Summary(IAnsiConsole console, FleetRunResult result, double tenantsPerMinute)
    {
        var progress = result.Progress;
        var (state, colour) = result.State switch
        {
            FleetRunState.Completed when progress.Parked == 0 => ("completed", "green"),
            FleetRunState.Completed => ("completed, with parked tenants", "yellow"),
            FleetRunState.NothingToDo => ("nothing to do: every tenant is at the target version", "green"),
            FleetRunState.Halted => ("halted", "red"),
            _ => ("not finished (cancelled, or other instances still work on it)", "yellow"),
        };

        var table = new Table().Border(TableBorder.Rounded).Title($"Run {Markup.Escape(result.RunId)} ({Markup.Escape(result.Work)})")
            .AddColumn("").AddColumn(new TableColumn("").LeftAligned()).HideHeaders();
        table.AddRow(new Text("state"), new Markup($"[{colour}]{Markup.Escape(state)}[/]"));
        if (result.HaltReason is { } reason)
        {
            table.AddRow(new Text("halt reason"), new Text(reason));
        }

        table.AddRow(new Text("tenants"), new Text(string.Create(Invariant, $"{progress.Total} in {progress.Waves} wave(s)")));
        table.AddRow(new Text("succeeded"), new Markup(string.Create(Invariant, $"[green]{progress.Succeeded}[/]")));
        table.AddRow(new Text("parked"), new Markup(progress.Parked == 0 ? "0" : string.Create(Invariant, $"[red]{progress.Parked}[/]")));
        table.AddRow(new Text("skipped"), new Text(progress.Skipped.ToString(Invariant)));
        table.AddRow(new Text("deferred"), new Text(progress.Deferred.ToString(Invariant)));
        if (progress.Pending + progress.Running > 0)
        {
            table.AddRow(new Text("not started"), new Markup(string.Create(Invariant, $"[yellow]{progress.Pending + progress.Running}[/] (still at their old version)")));
        }

        table.AddRow(new Text("elapsed"), new Text(string.Create(Invariant, $"{result.Elapsed.TotalSeconds:0.0} s")));
        table.AddRow(new Text("tenants/minute"), new Text(string.Create(Invariant, $"{tenantsPerMinute:0.#}")));
        table.AddRow(new Text("parallelism"), new Text(result.Parallelism == 0
            ? "-"
            : string.Create(Invariant, $"{result.Parallelism} (bound: {result.ParallelismBound ?? "requested"})")));
        console.Write(table);
    }

    /// <summary>
    /// The parked tenants: the version their catalog record and their database's journal say (the one before the run,
    /// after the restore), and the root cause of the failure, the last link of the error the run's ledger keeps
    /// (<c>TenantMigrationException: ... &lt;- TenantScriptException: ... &lt;- PostgreSQL 23514: ...</c>).
    /// </summary>
    public static void Parked(IAnsiConsole console, IReadOnlyList<(FleetTenantEntry Entry, int? CatalogVersion, string Journal)> parked)
    {
        if (parked.Count == 0)
        {
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("[red]Parked tenants[/]: restored to their checkpoint, serving at their old version")
            .AddColumn("tenant").AddColumn(new TableColumn("attempts").RightAligned()).AddColumn("catalog").AddColumn("journal").AddColumn("cause");
        foreach (var (entry, version, journal) in parked)
        {
            var error = entry.Error ?? "";
            var cause = error.LastIndexOf(" <- ", StringComparison.Ordinal) is var at and >= 0 ? error[(at + 4)..] : error;
            table.AddRow(
                new Text(entry.TenantId.Value),
                new Text(entry.Attempts.ToString(Invariant)),
                new Text(version is { } v ? string.Create(Invariant, $"v{v}") : "-"),
                new Text(journal),
                new Text(cause));
        }

        console.Write(table);
    }
}
