using System.Text.Json;
using Deepscope.IO;
using Deepscope.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// run.json of a run directory: what was trained on what, with which options, seed, thread count and versions, how long
/// it took and how it ended; enough to rebuild the model for evaluation. The directory also holds model.bin
/// (TorchSharp weights), model.pth (the same state dict for PyTorch), best.bin, checkpoint.bin and the logs.
/// </summary>
public sealed record RunRecord
{
    public const string FileName = "run.json", ModelFile = "model.bin", PyTorchModelFile = "model.pth";

    public string Command { get; init; } = "train";
    public string Model { get; init; } = "";
    public string Dataset { get; init; } = "";
    public IReadOnlyList<string> Classes { get; init; } = [];
    public InputTransform Input { get; init; } = null!;
    public TrainingOptions Options { get; init; } = new();
    public FineTuneOptions? FineTune { get; init; }
    public string? Weights { get; init; }
    /// <summary>The randomisation test applied to the training examples (<c>--corrupt</c>), or null.</summary>
    public string? Randomization { get; init; }
    /// <summary>The robustness training (adversarial, Parseval) when not plain, e.g. "adversarial pgd-linf eps=0.3 ...".</summary>
    public string? Defence { get; init; }
    public long TrainCount { get; init; }
    /// <summary>Images evaluated after each epoch: the test split, or the held-out validation part of the training split.</summary>
    public long EvalCount { get; init; }
    public double? ValidationFraction { get; init; }
    public int Threads { get; init; }
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    /// <summary>Seconds spent in training epochs (summed over resumed sessions) and wall seconds of the last session.</summary>
    public double? TrainingSeconds { get; init; }
    public double? SessionSeconds { get; init; }
    public int? EpochsDone { get; init; }
    public bool? StoppedEarly { get; init; }
    public int? ResumedAfterEpoch { get; init; }
    /// <summary>The last epoch's accuracy on the per-epoch evaluation set (validation or test).</summary>
    public double? FinalEvalAccuracy { get; init; }
    /// <summary>Accuracy of the final weights on the (possibly limited) test split.</summary>
    public double? TestAccuracy { get; init; }
    public int? BestEpoch { get; init; }

    public ModelShape Shape => new(Classes.Count, Input.Channels, Input.ImageSize);

    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, JsonFormat.Options));

    public static RunRecord Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new DeepscopeException($"{directory} is not a run directory (no {FileName})");
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), JsonFormat.Options) ?? throw new InvalidDataFileException(path, "empty run record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataFileException(path, $"unreadable run record: {e.Message}", e);
        }
    }

    /// <summary>Saves final weights as model.bin and model.pth, atomically.</summary>
    public static void SaveModel(string directory, nn.Module model)
    {
        AtomicFile.Write(Path.Combine(directory, ModelFile), s => model.save(s));
        AtomicFile.Write(Path.Combine(directory, PyTorchModelFile), s => model.save_py(s, leaveOpen: true));
    }

    /// <summary>
    /// Rebuilds the run's model, loads its final weights (or best.bin with <paramref name="best"/>) and routes its
    /// convolutions as the trainer did (<see cref="RoutedConv2d"/>), so it computes what the run computed.
    /// </summary>
    public nn.Module<Tensor, Tensor> LoadModel(string directory, bool best = false)
    {
        var path = Path.Combine(directory, best ? Trainer.BestWeightsFile : ModelFile);
        if (!File.Exists(path))
            throw new DeepscopeException(best ? $"{path} not found: the run had no evaluation set" : $"{path} not found: the run has not finished (resume it with --resume)");
        var model = ModelZoo.Get(Model).Create(Shape);
        try
        {
            model.load(path, strict: true);
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new InvalidDataFileException(path, $"cannot load weights for {Model}: {e.Message}", e);
        }
        RoutedConv2d.RouteConvolutions(model);
        model.eval();
        return model;
    }
}
