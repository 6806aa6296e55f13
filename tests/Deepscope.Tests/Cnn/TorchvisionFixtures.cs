using Deepscope.IO;
using static TorchSharp.torch;

namespace Deepscope.Tests.Cnn;

/// <summary>
/// The committed torchvision activations (Fixtures/Cnn/&lt;model&gt;.npz, written by torchvision_reference.py), keyed
/// "&lt;input&gt;/&lt;resize or 0&gt;/&lt;crop or 0&gt;/&lt;layer&gt;", for the closed-form weights and inputs of <see cref="FormulaWeights"/>.
/// </summary>
static class TorchvisionFixtures
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Cnn");

    // The inputs of torchvision_reference.py's CASES.
    static readonly Dictionary<string, long[]> InputShapes = new()
    {
        ["rgb32"] = [2, 3, 32, 32], ["gray20"] = [2, 20, 20], ["gray48"] = [2, 1, 48, 48], ["rgb45x70"] = [2, 3, 45, 70],
        ["rgb64"] = [2, 3, 64, 64],
    };

    public sealed record Case(string Input, int? Resize, int? CenterCrop, IReadOnlyDictionary<string, Tensor> Expected)
    {
        public Deepscope.Features.Cnn.ImageNetPreprocessing Preprocessing => new(Resize, CenterCrop);

        public Tensor Images() => FormulaWeights.Input(Input, InputShapes[Input]);
    }

    public static IReadOnlyList<Case> Load(string model)
    {
        var arrays = Npy.ReadNpz(Path.Combine(Directory, $"{model}.npz"));
        return [.. arrays.GroupBy(kv => string.Join('/', kv.Key.Split('/')[..3]))
            .Select(g =>
            {
                var parts = g.Key.Split('/');
                int? Size(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var n and > 0 ? n : null;
                return new Case(parts[0], Size(parts[1]), Size(parts[2]), g.ToDictionary(kv => kv.Key[(g.Key.Length + 1)..], kv => kv.Value));
            })];
    }

    /// <summary>max |actual - expected| / max |expected|.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        return (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>()
            / expected.to_type(ScalarType.Float64).abs().max().item<double>();
    }
}
