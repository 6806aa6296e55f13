using Deepscope.Features.Scattering;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>
/// The 2D scattering transform with Kymatio's definitions and output (kymatio.torch.Scattering2D, pre_pad = False):
/// input (..., H, W) in float32 (or float64), output (..., K, H / 2^J, W / 2^J) with K = 1 + J L + L^2 J (J - 1) / 2
/// at max order 2 (1 + J L at order 1), coefficients in Kymatio's order. Differentiable; runs on the input's device
/// (filters are built once per device and dtype). Large inputs are processed in chunks so memory stays bounded.
/// </summary>
public sealed class Scattering2D : nn.Module<Tensor, Tensor>
{
    // Working memory per chunk: the order-2 products dominate (L^2 complex maps on the padded grid per image).
    const long ChunkBudgetBytes = 12L << 20;

    readonly Dictionary<(string Device, ScalarType Type), TorchScatteringBackend> _backends = [];
    readonly Lock _gate = new();

    public int J { get; }
    public int L { get; }
    public int MaxOrder { get; }
    public int Height { get; }
    public int Width { get; }
    public MorletFilterBank Filters { get; }

    /// <summary>Coefficients per input channel (K).</summary>
    public int CoefficientCount => ScatteringAlgorithm.CoefficientCount(J, L, MaxOrder);
    public int OutputHeight => Height >> J;
    public int OutputWidth => Width >> J;

    /// <summary>Images scattered at once; more are split into chunks of this size (default: about 12 MB of working memory per chunk, which keeps the data in cache; measured best of 4-48 images for 28x28 and 32x32).</summary>
    public long ChunkSize
    {
        get;
        init => field = value >= 1 ? value : throw new DeepscopeException($"scattering: chunk size must be at least 1, got {value}");
    }

    public Scattering2D(int j, (int Height, int Width) shape, int l = 8, int maxOrder = 2) : base(nameof(Scattering2D))
    {
        if (j < 1) throw new DeepscopeException($"scattering: J must be at least 1, got {j}");
        if (l < 1) throw new DeepscopeException($"scattering: L must be at least 1, got {l}");
        if (maxOrder is not (1 or 2)) throw new DeepscopeException($"scattering: max order must be 1 or 2, got {maxOrder}");
        if (j > 30 || (1 << j) > Math.Min(shape.Height, shape.Width))
            throw new DeepscopeException($"scattering: J = {j} is too large for {shape.Height}x{shape.Width} images: 2^J must not exceed the smaller side " +
                $"(largest J here: {(int)Math.Log2(Math.Max(1, Math.Min(shape.Height, shape.Width)))})");
        (J, L, MaxOrder, Height, Width) = (j, l, maxOrder, shape.Height, shape.Width);
        Filters = new MorletFilterBank(KymatioPadding.PaddedSize(Height, j), KymatioPadding.PaddedSize(Width, j), j, l);
        long perImage = 16L * Filters.M * Filters.N * (maxOrder >= 2 ? l * l : l);
        ChunkSize = Math.Max(1, ChunkBudgetBytes / perImage);
    }

    /// <summary>The output shape for an input of shape (..., H, W).</summary>
    public long[] OutputShape(long[] inputShape) => [.. inputShape[..^2], CoefficientCount, OutputHeight, OutputWidth];

    public override Tensor forward(Tensor input)
    {
        Validate(input);
        var backend = BackendFor(input);
        long[] batchShape = input.shape[..^2];
        using var scope = NewDisposeScope();
        var images = input.reshape(-1, Height, Width);
        long count = images.shape[0];
        Tensor result;
        if (count == 0) result = zeros([0, CoefficientCount, OutputHeight, OutputWidth], input.dtype, input.device);
        else if (count <= ChunkSize) result = ScatteringAlgorithm.Scatter(backend, images, J, MaxOrder);
        else if (images.requires_grad || !images.device.type.Equals(DeviceType.CPU) || get_num_threads() == 1)
        {
            var chunks = new List<Tensor>();
            for (long start = 0; start < count; start += ChunkSize)
                chunks.Add(ScatterChunk(backend, images, start));
            result = cat(chunks, 0);
        }
        else result = ScatterChunksInParallel(backend, images);
        return result.reshape([.. batchShape, CoefficientCount, OutputHeight, OutputWidth]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Chunks on as many .NET threads as libtorch has, each op single-threaded. The transform is a chain of small
    /// FFTs, products and folds whose intra-op parallelism barely pays (a second core added 5-15%); whole chunks in
    /// parallel keep every core busy. Only without autograd: the graph of a parallel run would cross threads.
    /// </summary>
    Tensor ScatterChunksInParallel(TorchScatteringBackend backend, Tensor images)
    {
        long count = images.shape[0];
        int chunkCount = (int)((count + ChunkSize - 1) / ChunkSize);
        var results = new Tensor[chunkCount];
        int threads = get_num_threads();
        try
        {
            // libtorch's thread count is per calling thread (OpenMP), so each worker sets its own and restores it.
            Parallel.For(0, chunkCount, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => { set_num_threads(1); return 0; }, (c, _, none) =>
            {
                using var inner = NewDisposeScope();
                using var noGrad = no_grad();
                results[c] = ScatterChunk(backend, images, c * ChunkSize).DetachFromDisposeScope();
                return none;
            }, _ => set_num_threads(threads));
            return cat(results, 0);
        }
        finally
        {
            foreach (var r in results) r?.Dispose();
        }
    }

    Tensor ScatterChunk(TorchScatteringBackend backend, Tensor images, long start) =>
        ScatteringAlgorithm.Scatter(backend, images[TensorIndex.Slice(start, Math.Min(images.shape[0], start + ChunkSize))], J, MaxOrder);

    void Validate(Tensor input)
    {
        var shape = $"({string.Join(", ", input.shape)})";
        if (input.dim() < 2)
            throw new DeepscopeException($"scattering: input must have shape (..., {Height}, {Width}), got a tensor of shape {shape}");
        if (input.shape[^2] != Height || input.shape[^1] != Width)
            throw new DeepscopeException($"scattering: this transform was built for {Height}x{Width} images, got input of shape {shape}");
        if (input.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new DeepscopeException($"scattering: input must be float32 or float64, got {input.dtype}");
        using var scope = NewDisposeScope();
        if (!input.detach().isfinite().all().item<bool>())
            throw new DeepscopeException($"scattering: input of shape {shape} contains NaN or infinite values");
    }

    TorchScatteringBackend BackendFor(Tensor input)
    {
        var key = (input.device.ToString(), input.dtype);
        lock (_gate)
        {
            if (!_backends.TryGetValue(key, out var backend))
                _backends[key] = backend = new TorchScatteringBackend(Filters, Height, Width, input.device, input.dtype);
            return backend;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            lock (_gate)
            {
                foreach (var backend in _backends.Values) backend.Dispose();
                _backends.Clear();
            }
        base.Dispose(disposing);
    }
}
