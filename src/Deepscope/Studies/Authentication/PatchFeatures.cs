using Deepscope.Data;
using Deepscope.Features;
using static TorchSharp.torch;

namespace Deepscope.Studies.Authentication;

/// <summary>
/// Features of patches (N, C, S, S) by any extractor of the catalog. Scattering is pooled over space (the mean of each
/// coefficient channel, a translation-invariant texture descriptor of fixed size whatever the patch size); every
/// other extractor (pixels, tight-frame, cnn and whatever the catalog gains) runs through its own
/// <see cref="IFeatureExtractor"/> on the patches as a one-split data set.
/// </summary>
public static class PatchFeatures
{
    const long ScatteringBatch = 16;

    /// <summary>Features (N, D) float32 of the patches; <paramref name="workFolder"/> holds the extractor's files meanwhile.</summary>
    public static Tensor Extract(ComponentChoice extractor, Tensor patches, string workFolder, IProgressReporter progress)
    {
        var entry = FeatureExtractors.Catalog.Get(extractor.Name);
        if (entry.Bind(extractor.Parameters) is ScatteringSettings scattering) return PooledScattering(scattering, patches);
        var component = entry.Create(extractor.Parameters);
        var empty = zeros([0, .. patches.shape[1..]], patches.dtype);
        using var train = new LabeledImages(patches.alias(), zeros(patches.shape[0], ScalarType.Int64), ["patch"], "patches");
        using var test = new LabeledImages(empty, zeros(0, ScalarType.Int64), ["patch"], "patches");
        try
        {
            component.Extract(workFolder, "patches", train, test, progress);
            using var set = FeatureSet.Load(workFolder);
            return set.TrainFeatures.clone();
        }
        finally
        {
            if (Directory.Exists(workFolder)) Directory.Delete(workFolder, recursive: true);
        }
    }

    /// <summary>Scattering coefficients of every channel, averaged over the patch: (N, C * coefficients).</summary>
    public static Tensor PooledScattering(ScatteringSettings settings, Tensor patches)
    {
        int size = (int)patches.shape[^1];
        using var scattering = new Scattering2D(settings.J, ((int)patches.shape[^2], size), settings.L, settings.MaxOrder);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < patches.shape[0]; start += ScatteringBatch)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(ScatteringBatch, patches.shape[0] - start);
                using (no_grad())
                {
                    var coefficients = scattering.forward(patches.narrow(0, start, n).to_type(ScalarType.Float32));
                    parts.Add(coefficients.mean([-2L, -1L]).reshape(n, -1).MoveToOuterDisposeScope());
                }
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
