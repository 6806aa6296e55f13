using System.Text.Json;
using Deepscope.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>One epoch of a run's history.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double? EvalLoss, double? EvalAccuracy,
    double LearningRate, double Seconds, double ImagesPerSecond);

/// <summary>The trainer's own state between epochs (everything but tensors).</summary>
public sealed record TrainingState
{
    public int EpochsDone { get; init; }
    public long GlobalStep { get; init; }
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
    public double? BestMetric { get; init; }
    public int BestEpoch { get; init; }
    public int EpochsSinceBest { get; init; }
    public bool StoppedEarly { get; init; }
    public double TrainingSeconds { get; init; }
    /// <summary>The options the run was started with (JSON); a resume with different options is refused.</summary>
    public string OptionsJson { get; init; } = "";
}

/// <summary>
/// A resumable snapshot of a run: model parameters and buffers, optimizer state (momentum, Adam moments, steps),
/// the trainer's generators and torch's global generator, and <see cref="TrainingState"/>. One file, written atomically.
/// </summary>
public static class Checkpoint
{
    const string Magic = "DEEPSCOPE-CHECKPOINT/1";

    public static void Write(string path, TrainingState state, nn.Module model, optim.Optimizer optimizer, IReadOnlyList<Generator> generators)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state, JsonFormat.Options));
            model.save(writer);
            ((OptimizerHelper)optimizer).save_state_dict(writer);
            writer.Write(generators.Count + 1);
            foreach (var g in generators)
                using (var s = g.get_state()) WriteBytes(writer, s);
            using (var global = random.get_rng_state()) WriteBytes(writer, global);
        });
    }

    /// <summary>Restores a checkpoint into the given model, optimizer and generators (built exactly as when it was written).</summary>
    public static TrainingState Read(string path, nn.Module model, optim.Optimizer optimizer, IReadOnlyList<Generator> generators)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            if (reader.ReadString() != Magic) throw new InvalidDataFileException(path, "not a Deepscope checkpoint (wrong header)");
            var state = JsonSerializer.Deserialize<TrainingState>(reader.ReadString(), JsonFormat.Options)
                ?? throw new InvalidDataFileException(path, "checkpoint has no training state");
            model.load(reader, strict: true);
            ((OptimizerHelper)optimizer).load_state_dict(reader);
            int count = reader.ReadInt32();
            if (count != generators.Count + 1) throw new InvalidDataFileException(path, $"checkpoint holds {count} generator states, expected {generators.Count + 1}");
            foreach (var g in generators)
                using (var s = ReadBytes(reader)) g.set_state(s);
            using (var global = ReadBytes(reader)) random.set_rng_state(global);
            return state;
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or FormatException or JsonException
                                      or System.Runtime.InteropServices.ExternalException)
        {
            throw new InvalidDataFileException(path, $"cannot restore checkpoint (truncated, or written for another model or optimizer): {e.Message}", e);
        }
    }

    static void WriteBytes(BinaryWriter writer, Tensor state)
    {
        var bytes = state.bytes;
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    static Tensor ReadBytes(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException("generator state is truncated");
        return tensor(bytes, dtype: ScalarType.Byte);
    }
}
