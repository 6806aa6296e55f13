using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Deepscope.Models;
using Deepscope.Runtime;
using Deepscope.Training;
using Deepscope.Training.Throughput;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Bench;

/// <summary>
/// Training throughput, images/s: one step = zero_grad, forward, cross-entropy, backward, SGD step (momentum 0.9,
/// weight decay 5e-4) on random batches, as bench/peers/torch_train_throughput.py does in PyTorch. Also times the data
/// pipeline alone (gather a shuffled uint8 batch, to float, random crop + flip, normalise) and, with "memory", the
/// process's resident memory after each epoch of a small Trainer run.
/// </summary>
public sealed class TrainingBenchmark : IBenchmark
{
    public string Name => "training";
    public string Description => "training step images/s: MODEL (resnet18 | resnet18_cifar | lenet | any zoo model, e.g. alexnet-small, dcf-resnet18 | pipeline | memory) [--batch 128] [--steps 10] [--warmup 2] [--threads N] [--bf16] [--autocast] [--nchw] [--plain-convolutions]";

    static bool PlainConvolutions;

    public int Run(string[] args)
    {
        if (args.Length == 0) { Console.WriteLine(Description); return 1; }
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int batch = int.Parse(Arg("--batch", "128"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Arg("--steps", "10"), CultureInfo.InvariantCulture);
        int warmup = int.Parse(Arg("--warmup", "2"), CultureInfo.InvariantCulture);
        var threads = Arg("--threads", "");
        TorchRuntime.Configure(threads == "" ? null : int.Parse(threads, CultureInfo.InvariantCulture));
        PlainConvolutions = args.Contains("--plain-convolutions");
        return args[0] switch
        {
            "pipeline" => Pipeline(batch, steps),
            "memory" => Memory(),
            var model => Steps(model, batch, steps, warmup, args.Contains("--bf16") ? ScalarType.BFloat16 : ScalarType.Float32, !args.Contains("--nchw"), args.Contains("--autocast")),
        };
    }

    /// <param name="dtype">BFloat16 trains the whole network in bf16: the upper bound of what bf16 mixed precision
    /// (which adds casts and fp32 master weights) could gain on this CPU.</param>
    static int Steps(string name, int batch, int steps, int warmup, ScalarType dtype, bool channelsLast, bool autocast)
    {
        random.manual_seed(0);
        NativeHeap.ReuseFreedMemory();  // as Trainer.Fit does
        var (model, shape) = name switch
        {
            "lenet" => ((nn.Module<Tensor, Tensor>)ModelZoo.lenet(), new long[] { 1, 28, 28 }),
            "resnet18" => (ModelZoo.Get("resnet18").Create(new ModelShape(10, 3, 32)), [3, 32, 32]),
            "resnet18_cifar" => (ModelZoo.resnet18_cifar(), [3, 32, 32]),
            // Any other zoo model (dcf-lenet, dcf-resnet18, ...) at its default input shape.
            _ => ZooModel(ModelZoo.Get(name)),
        };
        if (!PlainConvolutions) RoutedConv2d.RouteConvolutions(model); // as the trainer does
        model.to(dtype);
        // Channels-last input as Trainer feeds it (--nchw: the plain layout).
        using var x = channelsLast ? MemoryFormat.ChannelsLast(randn([batch, .. shape], dtype)) : randn([batch, .. shape], dtype);
        using var y = randint(0, 10, [batch]);
        var (rate, phases) = TrainingThroughput.TimeSteps(model, x, y, warmup, steps, autocast ? () => Autocast.Cpu() : null);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            framework = "deepscope " + __version__, model = name, dtype = autocast ? "autocast bf16" : dtype.ToString(), batch, steps, threads = get_num_threads(), images_per_second = rate,
            forward_seconds = phases[0], backward_seconds = phases[1], step_seconds = phases[2],
        }));
        return 0;
    }

    static (nn.Module<Tensor, Tensor>, long[]) ZooModel(ModelSpec spec) =>
        (spec.Create(spec.DefaultShape), [spec.DefaultShape.Channels, spec.DefaultShape.ImageSize, spec.DefaultShape.ImageSize]);

    /// <summary>The per-batch input work of a CIFAR-10 epoch with crop and flip, without the model.</summary>
    static int Pipeline(int batch, int steps)
    {
        using var images = randint(0, 256, [50_000, 3, 32, 32], dtype: ScalarType.Byte);
        var transform = InputTransform.FromData(images.narrow(0, 0, 5000));
        var augmentation = new Augmentation(4, true);
        using var g = new Generator(1);
        using var order = randperm(images.shape[0], generator: g);
        var clock = Stopwatch.StartNew();
        long done = 0;
        for (int s = 0; s < steps * 10; s++)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, s * batch % (images.shape[0] - batch), batch);
            transform.Normalize(augmentation.Apply(transform.ToUnitFloat(images.index_select(0, index)), g));
            done += batch;
        }
        Console.WriteLine(JsonSerializer.Serialize(new { stage = "pipeline (gather, float, crop 4 + flip, normalise)", batch, threads = get_num_threads(), images_per_second = done / clock.Elapsed.TotalSeconds }));
        return 0;
    }

    /// <summary>Resident memory and live tensors after each epoch of LeNet on 4,096 random MNIST-shaped images.</summary>
    static int Memory()
    {
        using var images = randint(0, 256, [4096, 1, 28, 28], dtype: ScalarType.Byte);
        using var labels = randint(0, 10, [4096]);
        var examples = new Examples(images, labels, [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))]);
        random.manual_seed(0);
        using var model = ModelZoo.lenet();
        var process = Process.GetCurrentProcess();
        new Trainer(new TrainingOptions { Epochs = 8, Augmentation = new Augmentation(2, false) })
        {
            EpochCompleted = r =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                process.Refresh();
                Console.WriteLine($"epoch {r.Epoch}: resident {process.WorkingSet64 / (1 << 20)} MiB, live tensors {TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount}, {r.ImagesPerSecond:F0} img/s");
            },
        }.Fit(TrainingTarget.Whole(model), examples, examples, InputTransform.FromData(images));
        return 0;
    }
}
