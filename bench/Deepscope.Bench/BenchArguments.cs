using System.Globalization;
using Deepscope.Runtime;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>A benchmark's "--name value" arguments, and the start every step benchmark shares with the trainer.</summary>
public sealed class BenchArguments(string[] args)
{
    public string Text(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

    public int Int(string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => args.Contains(name);

    /// <summary>libtorch threads from --threads (default: all cores), then seed 0.</summary>
    public void ConfigureThreadsAndSeed()
    {
        var threads = Text("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        random.manual_seed(0);
    }

    /// <summary><see cref="ConfigureThreadsAndSeed"/> with the trainer's heap setting, as Trainer.Fit starts.</summary>
    public void ConfigureLikeTheTrainer()
    {
        ConfigureThreadsAndSeed();
        NativeHeap.ReuseFreedMemory();
    }
}
