using System.Globalization;
using System.Text;
using Deepscope.Data.Sources;
using Deepscope.IO;
using Deepscope.Models;
using Deepscope.Models.Inference;
using Deepscope.Runtime;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Studies.Inspection;

/// <summary>Scores of a set of images: the positive class's probability and the features entering the head (N, D).</summary>
public sealed record InspectionScores(double[] Probabilities, float[][] Features);

/// <summary>
/// A trained inspection classifier loaded from its run folder, readied for inference (<see cref="InferencePreparation"/>): scores image files in batches,
/// averaging the softmax of the image and its horizontal and vertical flips when the run asks for test-time augmentation.
/// </summary>
public sealed class InspectionPredictor : IDisposable
{
    public const int BatchSize = 64;
    readonly nn.Module<Tensor, Tensor> _model;
    readonly ModelSpec _spec;

    public InspectionModel Record { get; }

    public InspectionPredictor(string runFolder)
    {
        Record = InspectionModel.Read(runFolder);
        _spec = ModelZoo.Get(Record.Model);
        var weights = Path.Combine(runFolder, RunRecord.ModelFile);
        if (!File.Exists(weights)) throw new DeepscopeException($"{weights} not found: the run has not finished training");
        using (Initialization.SkippedForLoadedWeights())
            _model = _spec.Create(new ModelShape(Record.Classes.Count, Record.Input.Channels, Record.Input.ImageSize));
        try { _model.load(weights, strict: true); }
        catch (Exception e) when (e is not DeepscopeException) { _model.Dispose(); throw new InvalidDataFileException(weights, $"cannot load {Record.Model} weights: {e.Message}", e); }
        InferencePreparation.Prepare(_model);
    }

    /// <summary>Scores the files in order.</summary>
    public InspectionScores Score(IReadOnlyList<string> files, IProgressReporter? progress = null)
    {
        var decoder = new ImageDecoder(files[0], grayscale: null, resize: (int)Record.Input.ImageSize, decode: null);
        var (forward, release) = FineTuning.FeatureFunction(_model, _spec);
        var probabilities = new double[files.Count];
        var rows = new float[files.Count][];
        try
        {
            // Inference mode (no autograd bookkeeping at all): nothing computed here leaves as a tensor.
            using var _ = inference_mode();
            using var task = (progress ?? NoProgress.Instance).Start("score", files.Count, "img");
            for (int start = 0; start < files.Count; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(BatchSize, files.Count - start);
                var x = MemoryFormat.ChannelsLast(Record.Input.Apply(decoder.Stack(files.Skip(start).Take(n))));
                // The features and the un-flipped prediction come from the same pass.
                var (f, logits) = forward(x);
                var probability = logits.softmax(1);
                if (Record.Tta)
                    probability = (probability + _model.call(x.flip(3)).softmax(1) + _model.call(x.flip(2)).softmax(1)) / 3;
                var p = probability.select(1, Record.PositiveIndex).to_type(ScalarType.Float64).data<double>().ToArray();
                p.CopyTo(probabilities, start);
                var flat = f.contiguous().data<float>().ToArray();
                long d = f.shape[1];
                for (int i = 0; i < n; i++) rows[start + i] = flat.AsSpan((int)(i * d), (int)d).ToArray();
                task.Advance(n);
            }
        }
        finally { release?.Invoke(); }
        return new InspectionScores(probabilities, rows);
    }

    /// <summary>
    /// Writes the contest's submission: <c>id,label</c> with the positive class's probability, one row per image,
    /// ids in ordinal order, atomically. Returns the rows written.
    /// </summary>
    public static int WriteSubmission(string path, IReadOnlyList<(string Id, double Probability)> rows)
    {
        var text = new StringBuilder("id,label\n");
        foreach (var (id, p) in rows.OrderBy(r => r.Id, StringComparer.Ordinal))
            text.Append(id).Append(',').Append(p.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(path, text.ToString());
        return rows.Count;
    }

    public void Dispose() => _model.Dispose();
}
