using Deepscope.Data.Rasters;
using Deepscope.Features.Patches;
using Deepscope.IO;
using Deepscope.Learners;
using static TorchSharp.torch;

namespace Deepscope.Studies.Authentication;

/// <summary>A painting's patches as stored: the file as read, its size at the common resolution, where the patches are.</summary>
public sealed record PatchRecord(int Id, string File, string Format, int Bits, int Samples, double Scale, int Height, int Width,
    int Channels, int PatchSize, int[][] Positions, double[] Variances, int ThumbnailHeight, int ThumbnailWidth, double Seconds);

/// <summary>A pipeline's verdicts in one arm (the paintings as they are, or all re-encoded the same way).</summary>
public sealed record PipelineResult(string Pipeline, string Arm, IReadOnlyList<PaintingVote> LeaveOneOut, IReadOnlyList<PaintingVote> Disputed,
    double FeatureSeconds, long Patches)
{
    public int Correct => LeaveOneOut.Count(v => v.Correct == true);
    public double LooAccuracy => LeaveOneOut.Count == 0 ? double.NaN : (double)Correct / LeaveOneOut.Count;
}

/// <summary>
/// Authentication of paintings from patches (the Raphael drawings): every painting is read once in bands at its real
/// bit depth, resampled to a common resolution, cut into patches (variance-filtered); each pipeline (catalog extractor +
/// catalog learner) is evaluated leave-one-painting-out with patch votes, then calls the disputed paintings. The
/// confound check repeats everything on the paintings re-encoded as JPEGs of one quality. Grid: arms x pipelines.
/// </summary>
public sealed class AuthenticationStudy : IStudy
{
    public const string Original = "original";

    public AuthenticationOptions Options { get; }
    public IReadOnlyList<Pipeline> Pipelines { get; }

    public AuthenticationStudy(AuthenticationOptions options)
    {
        if (options.Pipelines.Length == 0) throw new DeepscopeException("authentication: 'pipelines' is empty");
        if (options.Patches.Keep > options.Patches.Count && !options.Patches.Grid)
            throw new DeepscopeException($"authentication: patches keep {options.Patches.Keep} of {options.Patches.Count} random crops");
        Options = options;
        Pipelines = options.Pipelines.Select(Pipeline.Parse).ToList();
    }

    /// <summary>The arms: as they are, then (with the confound check) all re-encoded as JPEG of one quality.</summary>
    public IReadOnlyList<string> Arms => Options.ConfoundJpegQuality is { } q ? [Original, $"jpeg-q{q}"] : [Original];

    internal IEnumerable<(string Arm, Pipeline Pipeline)> Cells() => Arms.SelectMany(a => Pipelines.Select(p => (a, p)));

    public IReadOnlyList<Painting> Paintings(StudyContext context)
    {
        var folder = Path.IsPathRooted(Options.Folder) || Options.Folder.StartsWith('~') ? context.ResolvePath(Options.Folder)
            : Path.GetFullPath(Options.Folder, context.DataDirectory);
        return PaintingFolder.Read(folder, Options.Labels, Options.Truth);
    }

    public void Run(StudyContext context)
    {
        var paintings = Paintings(context);
        foreach (var (arm, pipeline) in context.MyCells(Cells()))
            context.Stage(ResultKey(arm, pipeline, paintings, context), $"{pipeline.Label} ({arm})", () => Evaluate(arm, pipeline, paintings, context));
    }

    PipelineResult Evaluate(string arm, Pipeline pipeline, IReadOnlyList<Painting> paintings, StudyContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var features = new List<(Painting, Tensor)>();
        try
        {
            foreach (var painting in paintings) features.Add((painting, Features(arm, pipeline, painting, context)));
            double seconds = clock.Elapsed.TotalSeconds;
            var learner = LearnerCatalog.Create(pipeline.Learner.Name, pipeline.Learner.Parameters);
            var verdicts = PaintingVotes.Evaluate(features, learner, Options.Threshold, Options.Bootstrap, (ulong)context.Seed, context.Progress);
            return new PipelineResult(pipeline.Label, arm, verdicts.LeaveOneOut, verdicts.Disputed, seconds, features.Sum(f => f.Item2.shape[0]));
        }
        finally
        {
            foreach (var (_, f) in features) f.Dispose();
        }
    }

    /// <summary>The painting's patch features in this arm (a stage per painting and extractor), loaded.</summary>
    Tensor Features(string arm, Pipeline pipeline, Painting painting, StudyContext context)
    {
        var patchesKey = PatchesKey(arm, painting, context);
        var feature = Resolved(pipeline.Feature, context);
        var key = new StageKey("patch-features", new { patches = patchesKey.Hash, feature = feature.Label });
        var folder = context.Stages.ArtifactFolder(key, $"painting-{painting.Id}");
        var file = Path.Combine(folder, "features.npy");
        context.Stage(key, $"{feature.Label} of painting {painting.Id} ({arm})", () =>
        {
            Patches(arm, painting, context);
            using var patches = Npy.Read(PatchesFile(patchesKey, painting, context));
            using var values = PatchFeatures.Extract(feature, patches, Path.Combine(folder, "work"), context.Progress);
            Directory.CreateDirectory(folder);
            Npy.Write(file, values);
            return values.shape;
        });
        return Npy.Read(file);
    }

    /// <summary>The painting's patches in this arm: read, resampled, cut and stored once (a stage), the record returned.</summary>
    public PatchRecord Patches(string arm, Painting painting, StudyContext context)
    {
        var key = PatchesKey(arm, painting, context);
        return context.Stage(key, $"patches of painting {painting.Id} ({arm})", () =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int width;
            using (var header = RasterReader.Open(painting.Path)) width = header.Info.Width;
            var reading = new PaintingReading(painting.Scale(Options.PixelsPerMm, width), Options.Colour, JpegQuality(arm));
            var sample = PaintingPatches.Read(painting.Path, reading, Options.Patches, Numerics.SplitMix64.Derive((ulong)context.Seed, (ulong)painting.Id));
            var folder = context.Stages.ArtifactFolder(key, $"painting-{painting.Id}");
            Directory.CreateDirectory(folder);
            var p = sample.Patches;
            using (var patches = tensor(p.Pixels, [p.Count, p.Channels, p.Size, p.Size])) Npy.Write(Path.Combine(folder, "patches.npy"), patches);
            using (var thumbnail = tensor(sample.Thumbnail, [p.Channels, sample.ThumbnailHeight, sample.ThumbnailWidth]))
                Npy.Write(Path.Combine(folder, "thumbnail.npy"), thumbnail);
            var info = sample.File;
            return new PatchRecord(painting.Id, painting.FileName, info.Format, info.Bits, info.Samples, reading.Scale, sample.Height, sample.Width,
                p.Channels, p.Size, p.Positions.Select(c => new[] { c.Top, c.Left }).ToArray(), p.Variances, sample.ThumbnailHeight, sample.ThumbnailWidth,
                clock.Elapsed.TotalSeconds);
        });
    }

    int? JpegQuality(string arm) => arm == Original ? null : Options.ConfoundJpegQuality;

    internal StageKey PatchesKey(string arm, Painting painting, StudyContext context)
    {
        var file = new FileInfo(painting.Path);
        return new StageKey("painting-patches", new
        {
            path = file.FullName, bytes = file.Length, modified = file.LastWriteTimeUtc, ppmm = painting.PixelsPerMm, width_mm = painting.WidthMm,
            target_ppmm = Options.PixelsPerMm, colour = Options.Colour, jpeg = JpegQuality(arm), patches = Options.Patches, seed = context.Seed,
        });
    }

    internal string PatchesFile(StageKey key, Painting painting, StudyContext context) =>
        Path.Combine(context.Stages.ArtifactFolder(key, $"painting-{painting.Id}"), "patches.npy");

    internal string ThumbnailFile(string arm, Painting painting, StudyContext context) =>
        Path.Combine(context.Stages.ArtifactFolder(PatchesKey(arm, painting, context), $"painting-{painting.Id}"), "thumbnail.npy");

    internal StageKey ResultKey(string arm, Pipeline pipeline, IReadOnlyList<Painting> paintings, StudyContext context) =>
        new("authentication", new
        {
            arm, pipeline = Resolved(pipeline.Feature, context).Label + "+" + pipeline.Learner.Label,
            patches = paintings.Select(p => PatchesKey(arm, p, context).Hash).ToArray(),
            labels = paintings.Select(p => $"{p.Id}:{p.Label}:{p.Truth}").ToArray(),
            threshold = Options.Threshold, bootstrap = Options.Bootstrap, seed = context.Seed,
        });

    /// <summary>A feature choice with its file parameters (weights) resolved against the experiment file's folder.</summary>
    static ComponentChoice Resolved(ComponentChoice feature, StudyContext context) =>
        feature with
        {
            Parameters = feature.Parameters.ToDictionary(p => p.Key, p => p.Key == "weights" && p.Value.Length > 0 ? context.ResolvePath(p.Value) : p.Value),
        };

    public StudyReport Report(StudyContext context) => AuthenticationReport.Build(this, context);
}
