namespace Deepscope.Denoising;

/// <summary>One grey image, row-major float32 samples in the data's own units (0..255 for 8-bit images).</summary>
public sealed record Plane(int Height, int Width, float[] Pixels)
{
    public Plane(int height, int width) : this(height, width, new float[checked(height * width)]) { }

    public float this[int y, int x]
    {
        get => Pixels[y * Width + x];
        set => Pixels[y * Width + x] = value;
    }

    public Plane Copy() => new(Height, Width, (float[])Pixels.Clone());

    /// <summary>Same shape and sample count, else a user error naming both shapes.</summary>
    public void CheckSameShape(Plane other, string what)
    {
        if (Height != other.Height || Width != other.Width)
            throw new DeepscopeException($"{what}: shapes differ ({Height}x{Width} vs {other.Height}x{other.Width})");
    }
}
