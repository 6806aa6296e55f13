using System.Globalization;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Deepscope.Models.Dcf;

/// <summary>
/// The model zoo's DCF networks: <c>dcf-lenet</c>, <c>dcf-resnet18</c> and <c>dcf-vgg16</c> are the zoo's lenet,
/// resnet18_cifar and vgg16_cifar with every 3x3/5x5 convolution decomposed over K = 3 Fourier-Bessel bases. Another
/// K is named by a suffix: <c>dcf-lenet-k5</c>, <c>dcf-resnet18-kmax</c> (all bases), which is how a run records it.
/// </summary>
public static class DcfNetworks
{
    public const int DefaultBasisCount = 3;

    /// <summary>Each DCF network and the regular zoo model it is converted from.</summary>
    public static IReadOnlyDictionary<string, string> Regular { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["dcf-lenet"] = "lenet",
        ["dcf-resnet18"] = "resnet18_cifar",
        ["dcf-vgg16"] = "vgg16_cifar",
    };

    /// <summary>A regular model converted with K bases (the zoo's factories call this).</summary>
    public static Module<Tensor, Tensor> Convert(Module<Tensor, Tensor> regular, int? basisCount = DefaultBasisCount) =>
        DcfConversion.Convert(regular, new DcfOptions { BasisCount = basisCount });

    /// <summary>The name of a DCF network with K bases (null: all): the plain name for K = 3, else with "-kK" or "-kmax".</summary>
    public static string Name(string dcfName, int? basisCount) => basisCount switch
    {
        DefaultBasisCount => dcfName,
        null => $"{dcfName}-kmax",
        _ => string.Create(CultureInfo.InvariantCulture, $"{dcfName}-k{basisCount}"),
    };

    /// <summary>Parses a K given as a number or "max" (all bases: null).</summary>
    public static int? ParseBasisCount(string text) =>
        string.Equals(text, "max", StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1 ? k
        : throw new DeepscopeException($"the number of DCF bases must be a positive integer or 'max', got '{text}'");

    /// <summary>The DCF network <paramref name="spec"/> (a zoo DCF entry) with another K.</summary>
    public static ModelSpec WithBasisCount(ModelSpec spec, int? basisCount)
    {
        var baseName = Regular.Keys.FirstOrDefault(n => string.Equals(n, spec.Name, StringComparison.OrdinalIgnoreCase))
            ?? throw new DeepscopeException($"--dcf-k needs a DCF model ({string.Join(", ", Regular.Keys)}), got '{spec.Name}'");
        var regular = ModelZoo.Get(Regular[baseName]);
        string k = basisCount?.ToString(CultureInfo.InvariantCulture) ?? "max";
        return spec with
        {
            Name = Name(baseName, basisCount),
            Description = $"{regular.Description}, convolutions over K = {k} Fourier-Bessel bases",
            Create = s => Convert(regular.Create(s), basisCount),
        };
    }

    /// <summary>Resolves a suffixed name ("dcf-lenet-k5", "dcf-resnet18-kmax"), or null when the name is not one.</summary>
    public static ModelSpec? Find(string name)
    {
        int dash = name.LastIndexOf("-k", StringComparison.OrdinalIgnoreCase);
        if (dash < 0 || !Regular.ContainsKey(name[..dash])) return null;
        return WithBasisCount(ModelZoo.Get(name[..dash]), ParseBasisCount(name[(dash + 2)..]));
    }
}
