using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Neon.Tenancy.Samples.Migrator;

/// <summary>
/// Live progress: bars that redraw in place on a terminal; on anything else (a CI log, a file, a pipe) plain lines,
/// one when something worth a log line changed. Spectre's own fallback for non-interactive output prints each bar's
/// percentage at 25/50/75 %, which says nothing about parked tenants, so the lines are ours.
/// </summary>
internal sealed class FleetDisplay(IAnsiConsole console)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Whether bars can redraw in place: a terminal that takes ANSI sequences.</summary>
    public bool Interactive => console.Profile.Capabilities is { Interactive: true, Ansi: true };

    /// <summary>Counts <paramref name="total"/> steps of <paramref name="work"/>, which calls its argument once per step (from any thread).</summary>
    public async Task CountAsync(string what, int total, Func<Action, Task> work)
    {
        if (Interactive)
        {
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(what), maxValue: total);
                    await work(() => task.Increment(1));
                });
            return;
        }

        console.MarkupLineInterpolated($"  {what}: 0/{total}");
        var done = 0;
        var lastPrinted = 0;
        var gate = new Lock();
        var clock = Stopwatch.StartNew();
        await work(() =>
        {
            lock (gate)
            {
                done++;
                if (done == total || done - lastPrinted >= Math.Max(1, total / 4))
                {
                    lastPrinted = done;
                    console.WriteLine(string.Create(Invariant, $"  {what}: {done}/{total} ({clock.Elapsed.TotalSeconds:0.0} s)"));
                }
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="run"/>, showing the snapshots it reports; <paramref name="expected"/> sizes the bars until the
    /// first snapshot. Returns the run's result and the rate of the last snapshot (the result's own rate is 0).
    /// </summary>
    public async Task<(FleetRunResult Result, double TenantsPerMinute)> RunAsync(string runId, int expected, Func<IProgress<FleetProgress>, Task<FleetRunResult>> run)
    {
        if (!Interactive)
        {
            var lines = new LineReporter(console);
            var result = await run(lines);
            lines.Final(result.Progress);
            return (result, lines.TenantsPerMinute);
        }

        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new CountColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bars = new BarReporter(context, runId, Math.Max(1, expected));
                var result = await run(bars);
                var rate = bars.TenantsPerMinute;
                bars.Show(result.Progress); // the final counts, whatever order the last snapshots arrived in
                return (result, rate);
            });
    }

    /// <summary>One bar for the run (tenants with an outcome) and one per outcome. Spectre's tasks are thread-safe; the lock keeps one snapshot's values together.</summary>
    private sealed class BarReporter : IProgress<FleetProgress>
    {
        private readonly Lock _gate = new();
        private readonly string _runId;
        private readonly ProgressTask _done;
        private readonly ProgressTask _succeeded;
        private readonly ProgressTask _parked;
        private readonly ProgressTask _deferred;
        private readonly ProgressTask _skipped;
        private int _lastDone = -1;

        public double TenantsPerMinute { get; private set; }

        public BarReporter(ProgressContext context, string runId, int expected)
        {
            _runId = runId;
            _done = context.AddTask($"[bold]{Markup.Escape(runId)}[/]", maxValue: expected);
            _succeeded = context.AddTask("[green]succeeded[/]", maxValue: expected);
            _parked = context.AddTask("[red]parked[/]", maxValue: expected);
            _deferred = context.AddTask("[yellow]deferred[/]", maxValue: expected);
            _skipped = context.AddTask("[grey]skipped[/]", maxValue: expected);
        }

        public void Report(FleetProgress value)
        {
            lock (_gate)
            {
                // Snapshots come from the workers' threads; one that overtook a later one must not move the bars back.
                if (value.Done < _lastDone)
                {
                    return;
                }

                TenantsPerMinute = value.TenantsPerMinute;
                Show(value);
            }
        }

        public void Show(FleetProgress value)
        {
            lock (_gate)
            {
                _lastDone = value.Done;
                var total = Math.Max(1, value.Total);
                foreach (var task in new[] { _done, _succeeded, _parked, _deferred, _skipped })
                {
                    task.MaxValue = total;
                }

                _done.Description = $"[bold]{Markup.Escape(_runId)}[/] {Markup.Escape(Describe(value with { TenantsPerMinute = TenantsPerMinute }))}";
                _succeeded.Value = value.Succeeded;
                _parked.Value = value.Parked;
                _deferred.Value = value.Deferred;
                _skipped.Value = value.Skipped;
                _done.Value = value.Done;
            }
        }
    }

    /// <summary>A line when the wave changes, a tenant is parked, a tenth of the run has an outcome, 5 seconds passed with a new outcome, or 30 without.</summary>
    private sealed class LineReporter(IAnsiConsole console) : IProgress<FleetProgress>
    {
        private readonly Lock _gate = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private FleetProgress? _printed;
        private TimeSpan _printedAt;
        private int _lastDone = -1;

        public double TenantsPerMinute { get; private set; }

        public void Report(FleetProgress value)
        {
            lock (_gate)
            {
                if (value.Done < _lastDone)
                {
                    return;
                }

                _lastDone = value.Done;
                TenantsPerMinute = value.TenantsPerMinute;
                var last = _printed;
                var step = Math.Max(1, value.Total / 10);
                var worth = last is null
                    || value.Wave != last.Wave
                    || value.Parked != last.Parked
                    || value.Done - last.Done >= step
                    || _clock.Elapsed - _printedAt >= TimeSpan.FromSeconds(value.Done != last.Done ? 5 : 30);
                if (worth)
                {
                    Print(value);
                }
            }
        }

        public void Final(FleetProgress value)
        {
            lock (_gate)
            {
                if (_printed is null || _printed.Done != value.Done || _printed.Parked != value.Parked)
                {
                    Print(value with { TenantsPerMinute = TenantsPerMinute });
                }
            }
        }

        private void Print(FleetProgress value)
        {
            _printed = value;
            _printedAt = _clock.Elapsed;
            console.WriteLine(string.Create(Invariant, $"  {_clock.Elapsed.TotalSeconds,6:0.0} s  {value.Done,4}/{value.Total} done: ")
                + Counts(value) + "; " + Describe(value));
        }
    }

    /// <summary><c>succeeded 12, parked 1, ...</c> (the outcomes that are not zero, and the tenants running or waiting for a retry).</summary>
    public static string Counts(FleetProgress value)
    {
        var parts = new List<string> { string.Create(Invariant, $"succeeded {value.Succeeded}"), string.Create(Invariant, $"parked {value.Parked}") };
        AddIf(parts, "skipped", value.Skipped);
        AddIf(parts, "deferred", value.Deferred);
        AddIf(parts, "running", value.Running);
        AddIf(parts, "retrying", value.Retrying);
        return string.Join(", ", parts);

        static void AddIf(List<string> parts, string name, int count)
        {
            if (count > 0)
            {
                parts.Add(string.Create(Invariant, $"{name} {count}"));
            }
        }
    }

    /// <summary><c>wave 2/3, 41/min, ~0:12 left</c>.</summary>
    private static string Describe(FleetProgress value)
    {
        var wave = value.Wave >= value.Waves
            ? string.Create(Invariant, $"{value.Waves} wave(s) done")
            : string.Create(Invariant, $"wave {value.Wave + 1}/{value.Waves}");
        var rate = value.TenantsPerMinute > 0 ? string.Create(Invariant, $", {value.TenantsPerMinute:0.#}/min") : "";
        var left = value.EstimatedRemaining is { } remaining && value.Done < value.Total
            ? string.Create(Invariant, $", ~{remaining:m\\:ss} left")
            : "";
        return wave + rate + left;
    }

    /// <summary><c>12/30</c>: a count, where Spectre's columns show percentages or bytes.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(Invariant, $"{task.Value:0}/{task.MaxValue:0}")).RightJustified();

        public override int? GetColumnWidth(RenderOptions options) => 11;
    }
}
