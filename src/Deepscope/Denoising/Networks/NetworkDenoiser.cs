using System.Text.Json;
using System.Text.Json.Serialization;
using Deepscope.Catalogs;
using Deepscope.IO;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>How a network sees its images: scaled by the data range to [0, 1] (the published DnCNN models) or standardised per image.</summary>
public enum NetworkScaling { DataRange, Standardise }

/// <summary>
/// What a trained denoiser run holds beside its weights (<c>model.bin</c>), as <c>denoiser.json</c>: the method it was
/// trained by, the architecture (a DnCNN of <see cref="Depth"/> x <see cref="Width"/>, or a U-Net of
/// <see cref="Levels"/> for pix2pix) and the scaling its inputs had.
/// </summary>
public sealed record DenoiserNetwork(string Method, string Architecture, int Depth, int Width, int Levels, NetworkScaling Scaling, double TrainingSeconds = 0)
{
    public const string FileName = "denoiser.json";
    public const string DnCnnArchitecture = "dncnn", UNetArchitecture = "unet";

    public nn.Module<Tensor, Tensor> Build() => Architecture switch
    {
        DnCnnArchitecture => new DnCnn(Depth, Width, batchNorm: true),
        UNetArchitecture => new UNetGenerator(Levels, Width),
        _ => throw new DeepscopeException($"unknown denoiser architecture '{Architecture}' (known: {DnCnnArchitecture}, {UNetArchitecture})"),
    };

    /// <summary>Image sides must be multiples of this (the U-Net halves them <see cref="Levels"/> times).</summary>
    [JsonIgnore]
    public int SideMultiple => Architecture == UNetArchitecture ? 1 << Levels : 1;

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, JsonFormat.Options));

    public static DenoiserNetwork Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new DeepscopeException($"{folder}: not a trained denoiser run (no {FileName}; train one with 'deepscope denoise-train')");
        return JsonFormat.Read<DenoiserNetwork>(path);
    }
}

/// <summary>The network denoisers' options: the model file or run folder, and the data range the published models assume.</summary>
public sealed record NetworkDenoiserOptions
{
    [Param(Description = "a published DnCNN MatConvNet model (sigma=25.mat) or a run folder of 'deepscope denoise-train'")]
    public string Model { get; init; } = "";

    [Param(Min = 0, Description = "the data's range for a .mat model (it takes images in [0, 1]); 255 for 8-bit images")]
    public double DataRange { get; init; } = 255;

    [Param(Min = 1, Description = "images denoised together")]
    public int Batch { get; init; } = 8;
}

/// <summary>
/// A trained network as an <see cref="IDenoiser"/>: images are scaled as the network was trained (divided by the data
/// range, or standardised by their own mean and standard deviation), padded by reflection to the sides the
/// architecture needs, denoised in batches without gradients, and mapped back to the data's units. Sigma is not used:
/// the published DnCNN-S models are each trained for one noise level, the ones trained here for their training noise.
/// </summary>
public sealed class NetworkDenoiser : IDenoiser, IDisposable
{
    readonly nn.Module<Tensor, Tensor> _network;
    readonly NetworkScaling _scaling;
    readonly double _dataRange;
    readonly int _sideMultiple, _batch;

    public NetworkDenoiser(nn.Module<Tensor, Tensor> network, NetworkScaling scaling, double dataRange = 1, int sideMultiple = 1, int batch = 8)
    {
        (_network, _scaling, _dataRange, _sideMultiple, _batch) = (network, scaling, dataRange, sideMultiple, batch);
        Models.Inference.InferencePreparation.Prepare(_network);
    }

    /// <summary>Loads a published .mat model or a trained run, checking the run was trained by <paramref name="method"/> when given.</summary>
    public static NetworkDenoiser Load(NetworkDenoiserOptions options, string? method = null)
    {
        if (string.IsNullOrEmpty(options.Model)) throw new DeepscopeException("a network denoiser needs --model (a .mat file or a trained run folder)");
        if (File.Exists(options.Model) && Path.GetExtension(options.Model).Equals(".mat", StringComparison.OrdinalIgnoreCase))
            return new NetworkDenoiser(DnCnnMatFile.Load(options.Model), NetworkScaling.DataRange, options.DataRange, batch: options.Batch);
        if (!Directory.Exists(options.Model)) throw new DeepscopeException($"{options.Model}: neither a .mat model nor a run folder");
        var spec = DenoiserNetwork.Read(options.Model);
        if (method != null && spec.Method != method)
            throw new DeepscopeException($"{options.Model}: trained by {spec.Method}, not {method} (use --method {spec.Method})");
        var weights = Path.Combine(options.Model, RunRecord.ModelFile);
        if (!File.Exists(weights)) throw new DeepscopeException($"{weights} not found: the training has not finished (run 'deepscope denoise-train' again to resume it)");
        var network = spec.Build();
        try
        {
            network.load(weights, strict: true);
        }
        catch (Exception e)
        {
            network.Dispose();
            throw new InvalidDataFileException(weights, $"cannot load the {spec.Method} network's weights ({e.Message.Split('\n')[0]})", e);
        }
        return new NetworkDenoiser(network, spec.Scaling, options.DataRange, spec.SideMultiple, options.Batch);
    }

    public Plane Denoise(Plane noisy, double? sigma) => Denoise([noisy], sigma)[0];

    public IReadOnlyList<Plane> Denoise(IReadOnlyList<Plane> noisy, double? sigma)
    {
        var results = new List<Plane>(noisy.Count);
        foreach (var chunk in noisy.Chunk(_batch))
            if (chunk.All(p => p.Height == chunk[0].Height && p.Width == chunk[0].Width)) results.AddRange(DenoiseBatch(chunk));
            else foreach (var plane in chunk) results.AddRange(DenoiseBatch([plane]));
        return results;
    }

    IEnumerable<Plane> DenoiseBatch(Plane[] planes)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int height = planes[0].Height, width = planes[0].Width;
        var images = stack(planes.Select(p => tensor(p.Pixels, [1, height, width])).ToArray());
        Tensor offset, scale;
        if (_scaling == NetworkScaling.DataRange)
        {
            offset = zeros(planes.Length, 1, 1, 1);
            scale = full(planes.Length, 1, 1, 1, (float)_dataRange);
        }
        else
        {
            offset = images.mean([1, 2, 3], keepdim: true);
            scale = images.std([1, 2, 3], keepdim: true).clamp_min(1e-12f);
        }
        var input = (images - offset) / scale;
        int padH = (_sideMultiple - height % _sideMultiple) % _sideMultiple, padW = (_sideMultiple - width % _sideMultiple) % _sideMultiple;
        if (padH >= height || padW >= width)
            throw new DeepscopeException($"a {height}x{width} image is too small for this network (it pads sides by reflection to multiples of {_sideMultiple})");
        if (padH + padW > 0) input = nn.functional.pad(input, [0, padW, 0, padH], TorchSharp.PaddingModes.Reflect);
        var output = _network.forward(input)[.., .., ..height, ..width] * scale + offset;
        var values = output.contiguous().data<float>().ToArray();
        int plane = height * width;
        return planes.Select((p, i) => new Plane(height, width, values.AsSpan(i * plane, plane).ToArray())).ToList();
    }

    public void Dispose() => _network.Dispose();
}
