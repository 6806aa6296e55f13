namespace Deepscope.Denoising;

/// <summary>
/// A denoiser of grey images: classical filters and, later, trained networks. <c>sigma</c> is the noise standard
/// deviation in the image's own units, or null to let the method estimate it (or not need it).
/// </summary>
public interface IDenoiser
{
    Plane Denoise(Plane noisy, double? sigma);

    /// <summary>A stack of images; methods that batch (networks) override this.</summary>
    IReadOnlyList<Plane> Denoise(IReadOnlyList<Plane> noisy, double? sigma) => noisy.Select(p => Denoise(p, sigma)).ToList();
}

/// <summary>A denoiser held for a <c>using</c>: disposed with it when it owns resources (a network's weights).</summary>
public sealed record OwnedDenoiser(IDenoiser Value) : IDisposable
{
    public void Dispose() => (Value as IDisposable)?.Dispose();
}
