using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Deepscope.Cli.Terminal;

/// <summary>
/// Renders library progress: live Spectre bars (with rate and ETA) on a terminal, plain lines on stderr otherwise
/// (at most one per task every few seconds, so logs stay readable). Bars redraw on the reporting thread, at most every
/// <see cref="RedrawInterval"/>: Spectre's own refresh thread would allocate while the work is inside libtorch, which
/// TorchSharp's temporary Scalars do not survive (<see cref="Runtime.CollectorMode"/>).
/// </summary>
public static class CliProgress
{
    public static bool Interactive =>
        !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static T Run<T>(Func<IProgressReporter, T> work)
    {
        if (!Interactive) return work(new PlainLines());
        return AnsiConsole.Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedLikeColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => work(new SpectreReporter(ctx)));
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProgressTask, string> Units = new();

    public static void Run(Action<IProgressReporter> work) => Run(p => { work(p); return 0; });

    static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);

    sealed class SpectreReporter(ProgressContext context) : IProgressReporter
    {
        readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();

        public IProgressTask Start(string description, double total, string unit = "items")
        {
            var task = context.AddTask(Markup.Escape(description), maxValue: total > 0 ? total : 1);
            task.IsIndeterminate = total <= 0;
            Units.AddOrUpdate(task, unit);
            Redraw(force: true);
            return new SpectreTask(task, this);
        }

        public void Redraw(bool force = false)
        {
            lock (_sinceRedraw)
            {
                if (!force && _sinceRedraw.Elapsed < RedrawInterval) return;
                _sinceRedraw.Restart();
            }
            context.Refresh();
        }
    }

    sealed class SpectreTask(ProgressTask task, SpectreReporter reporter) : IProgressTask
    {
        public void Advance(double amount) { task.Increment(amount); reporter.Redraw(); }
        public void Describe(string description) { task.Description = Markup.Escape(description); reporter.Redraw(); }
        public void Dispose()
        {
            if (task.IsIndeterminate) { task.IsIndeterminate = false; task.Value = task.MaxValue; }
            task.StopTask();
            reporter.Redraw(force: true);
        }
    }

    /// <summary>Shows items/s, or MB/s for byte counts.</summary>
    sealed class TransferSpeedLikeColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var speed = task.Speed ?? 0;
            var unit = Units.TryGetValue(task, out var u) ? u : "items";
            var text = unit == "bytes" ? $"{speed / 1e6:F1} MB/s" : $"{speed:F0} {unit}/s";
            return new Spectre.Console.Text(text, Style.Plain);
        }
    }

    sealed class PlainLines : IProgressReporter
    {
        public IProgressTask Start(string description, double total, string unit = "items") => new PlainTask(description, total, unit);
    }

    sealed class PlainTask(string description, double total, string unit) : IProgressTask
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        double _done;
        TimeSpan _lastPrint = TimeSpan.Zero;

        public void Advance(double amount)
        {
            _done += amount;
            if (_clock.Elapsed - _lastPrint < TimeSpan.FromSeconds(5)) return;
            _lastPrint = _clock.Elapsed;
            Print();
        }

        public void Describe(string text) => description = text;

        public void Dispose()
        {
            if (_clock.Elapsed > TimeSpan.FromSeconds(1)) Print(final: true);
        }

        void Print(bool final = false)
        {
            double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9), rate = _done / seconds;
            var amount = unit == "bytes" ? $"{_done / 1e6:F1} MB ({rate / 1e6:F1} MB/s)" : $"{Figure(_done)} {unit} ({Figure(rate)} {unit}/s)";
            var percent = total > 0 ? $" {100 * _done / total:F0}%" : "";
            var eta = !final && total > 0 && rate > 0 ? $", ETA {TimeSpan.FromSeconds((total - _done) / rate):hh\\:mm\\:ss}" : "";
            Console.Error.WriteLine($"{description}:{percent} {amount}{eta}{(final ? $", done in {seconds:F1}s" : "")}");
        }

        /// <summary>Whole numbers from 100 up, else three significant digits: a slow rate (0.05 images/s) is not "0".</summary>
        static string Figure(double value) => value >= 100 || value == Math.Floor(value) ? value.ToString("F0", CultureInfo.InvariantCulture)
            : value.ToString("G3", CultureInfo.InvariantCulture);
    }
}
