using System.Text.Json;
using Deepscope.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>
/// A resumable snapshot of a run: every model's parameters and buffers with its optimizer state (momentum, Adam
/// moments, steps), the trainer's generators and torch's global generator, and <see cref="TrainingState"/> (which
/// carries the step count the schedules are functions of). One file, written atomically.
/// </summary>
public static class Checkpoint
{
    const string Magic = "DEEPSCOPE-CHECKPOINT/2";

    /// <param name="generatorStates">The states to restore the trainer's generators to, in order.</param>
    public static void Write(string path, TrainingState state, ModelSet models, IReadOnlyList<optim.Optimizer> optimizers, IReadOnlyList<Tensor> generatorStates)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(state, JsonFormat.Options));
            writer.Write(models.Models.Count);
            for (int i = 0; i < models.Models.Count; i++)
            {
                writer.Write(models.Models[i].Name);
                models.Models[i].Module.save(writer);
                ((OptimizerHelper)optimizers[i]).save_state_dict(writer);
            }
            writer.Write(generatorStates.Count + 1);
            foreach (var s in generatorStates) WriteBytes(writer, s);
            using (var global = random.get_rng_state()) WriteBytes(writer, global);
        });
    }

    /// <summary>Restores a checkpoint into the given models, optimizers and generators (built exactly as when it was written).</summary>
    public static TrainingState Read(string path, ModelSet models, IReadOnlyList<optim.Optimizer> optimizers, IReadOnlyList<Generator> generators)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            if (reader.ReadString() != Magic) throw new InvalidDataFileException(path, "not a Deepscope checkpoint of this version (wrong header)");
            var state = JsonSerializer.Deserialize<TrainingState>(reader.ReadString(), JsonFormat.Options)
                ?? throw new InvalidDataFileException(path, "checkpoint has no training state");
            int modelCount = reader.ReadInt32();
            if (modelCount != models.Models.Count) throw new InvalidDataFileException(path, $"checkpoint holds {modelCount} models, the run has {models.Models.Count}");
            for (int i = 0; i < modelCount; i++)
            {
                var name = reader.ReadString();
                if (name != models.Models[i].Name) throw new InvalidDataFileException(path, $"checkpoint holds model '{name}' where the run has '{models.Models[i].Name}'");
                models.Models[i].Module.load(reader, strict: true);
                ((OptimizerHelper)optimizers[i]).load_state_dict(reader);
            }
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
