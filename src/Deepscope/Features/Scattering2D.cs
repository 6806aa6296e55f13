using System.Collections.Concurrent;
using Deepscope.Features.Scattering;
using Deepscope.Features.Scattering.Simd;
using TorchSharp;
using static TorchSharp.torch;

namespace Deepscope.Features;

/// <summary>
/// The 2D scattering transform with Kymatio's definitions and output (kymatio.torch.Scattering2D, pre_pad = False):
/// input (..., H, W) in float32 (or float64), output (..., K, H / 2^J, W / 2^J) with K = 1 + J L + L^2 J (J - 1) / 2
/// at max order 2 (1 + J L at order 1), coefficients in Kymatio's order. Differentiable; runs on the input's device
/// (filters are built once per device and dtype). Large inputs are processed in chunks so memory stays bounded.
/// float32 inference on the CPU takes .NET vector kernels, everything else (autograd, CUDA, float64) libtorch's ops.
/// </summary>
public sealed class Scattering2D : nn.Module<Tensor, Tensor>
{
    // Working memory per chunk: the order-2 products dominate (L^2 complex maps on the padded grid per image).
    const long ChunkBudgetBytes = 12L << 20;

    readonly Dictionary<(string Device, ScalarType Type), TorchScatteringBackend> _backends = [];
    readonly ConcurrentBag<SimdScatteringBackend> _vectorBackends = [];
    SimdFilterTables? _vectorTables;
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

    /// <summary>
    /// Images scattered at once on the libtorch path (autograd, CUDA, float64); more are split into chunks of this size
    /// (default: about 12 MB of working memory per chunk, which keeps the data in cache; measured best of 4-48 images for
    /// 28x28 and 32x32). The vector kernels take one image per task whatever this is.
    /// </summary>
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
        long[] batchShape = input.shape[..^2];
        using var scope = NewDisposeScope();
        var images = input.reshape(-1, Height, Width);
        var result = UsesVectorKernels(images) ? ScatterWithVectorKernels(images) : ScatterWithLibTorch(images);
        return result.reshape([.. batchShape, CoefficientCount, OutputHeight, OutputWidth]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// float32 inference on the CPU runs on .NET vector kernels (<see cref="SimdScatteringBackend"/>), several times
    /// faster than libtorch's per-operation dispatch on these small transforms; autograd, CUDA and float64 use libtorch.
    /// </summary>
    internal static bool UsesVectorKernels(Tensor images) =>
        images.device.type == DeviceType.CPU && images.dtype == ScalarType.Float32 && !(images.requires_grad && is_grad_enabled());

    /// <summary>
    /// One image per task (its intermediates, about 0.5 MB at 28x28, stay in the core's cache; 2 or 4 per task measured
    /// slower) on as many .NET threads as libtorch has, each worker with its own workspace; workspaces are kept for the
    /// next call until the transform is disposed.
    /// </summary>
    unsafe Tensor ScatterWithVectorKernels(Tensor images)
    {
        long count = images.shape[0];
        var output = empty([count, CoefficientCount, OutputHeight, OutputWidth], ScalarType.Float32);
        if (count == 0) return output;
        using var source = images.contiguous();
        nint input = Address(source), target = Address(output);
        long inputFloats = (long)Height * Width, outputFloats = (long)CoefficientCount * OutputHeight * OutputWidth;
        Parallel.For(0L, count, new ParallelOptions { MaxDegreeOfParallelism = get_num_threads() }, RentVectorBackend, (image, _, backend) =>
        {
            backend.Scatter((float*)input + image * inputFloats, 1, (float*)target + image * outputFloats, MaxOrder);
            return backend;
        }, _vectorBackends.Add);
        return output;
    }

    /// <summary>
    /// The address of a contiguous CPU tensor's first element, taken from a one-element view: <c>bytes</c> is a span,
    /// whose int length could not describe a tensor of 2 GB or more.
    /// </summary>
    static unsafe nint Address(Tensor contiguous)
    {
        using var first = contiguous.view(-1)[TensorIndex.Slice(0, 1)];
        fixed (byte* p = first.bytes) return (nint)p;
    }

    SimdScatteringBackend RentVectorBackend()
    {
        if (_vectorBackends.TryTake(out var backend)) return backend;
        lock (_gate) _vectorTables ??= new SimdFilterTables(Filters, Height, Width);
        return new SimdScatteringBackend(_vectorTables);
    }

    /// <summary>Chunks of <see cref="ChunkSize"/> images one after the other, each chunk's intermediates freed before the next.</summary>
    Tensor ScatterWithLibTorch(Tensor images)
    {
        var backend = BackendFor(images);
        var chunks = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += ChunkSize)
        {
            using var chunkScope = NewDisposeScope();
            var chunk = images[TensorIndex.Slice(start, Math.Min(images.shape[0], start + ChunkSize))];
            chunks.Add(ScatteringAlgorithm.Scatter(backend, chunk, J, MaxOrder).MoveToOuterDisposeScope());
        }
        return chunks.Count switch
        {
            0 => zeros([0, CoefficientCount, OutputHeight, OutputWidth], images.dtype, images.device),
            1 => chunks[0],
            _ => cat(chunks, 0),
        };
    }

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
                while (_vectorBackends.TryTake(out var vectorBackend)) vectorBackend.Dispose();
            }
        base.Dispose(disposing);
    }
}
