using BitMiracle.LibTiff.Classic;

namespace Deepscope.Data;

/// <summary>
/// Writes 8- or 16-bit TIFFs (grey, RGB or RGBA; strips or tiles; LZW) band by band, so an image of any size is
/// written with one band in memory: the caller fills each band of rows, samples interleaved (rows, width, channels) in [0, 1].
/// </summary>
public static class TiffWriter
{
    // LibTiff warns on stderr when it opens an empty stream for writing; errors are reported with the file name instead.
    static TiffWriter() => Tiff.SetErrorHandler(new ImageFile.SilentTiffErrors());

    /// <param name="tileSize">0 writes strips of 64 rows; otherwise square tiles of this size (a multiple of 16).</param>
    /// <param name="fillBand">Fills rows [top, top + rows) into the buffer (length rows * width * channels).</param>
    public static void Write(string path, int height, int width, int channels, int bits, int tileSize, Action<int, int, float[]> fillBand)
    {
        if (channels is not (1 or 3 or 4) || bits is not (8 or 16) || tileSize < 0 || tileSize % 16 != 0)
            throw new ArgumentException($"cannot write {channels} channels of {bits} bits in tiles of {tileSize}");
        IO.AtomicFile.Write(path, stream =>
        {
            using var tiff = Tiff.ClientOpen(path, "w", stream, new TiffStream()) ?? throw new IOException($"{path}: cannot create TIFF");
            tiff.SetField(TiffTag.IMAGEWIDTH, width);
            tiff.SetField(TiffTag.IMAGELENGTH, height);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, channels);
            tiff.SetField(TiffTag.BITSPERSAMPLE, bits);
            tiff.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.UINT);
            tiff.SetField(TiffTag.ORIENTATION, Orientation.TOPLEFT);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tiff.SetField(TiffTag.PHOTOMETRIC, channels == 1 ? Photometric.MINISBLACK : Photometric.RGB);
            if (channels == 4) tiff.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
            tiff.SetField(TiffTag.COMPRESSION, Compression.LZW);
            int bandRows = tileSize > 0 ? tileSize : 64;
            if (tileSize > 0)
            {
                tiff.SetField(TiffTag.TILEWIDTH, tileSize);
                tiff.SetField(TiffTag.TILELENGTH, tileSize);
            }
            else tiff.SetField(TiffTag.ROWSPERSTRIP, bandRows);
            int bytesPerSample = bits / 8;
            float max = (1 << bits) - 1;
            var band = new float[bandRows * width * channels];
            var packed = new byte[band.Length * bytesPerSample];
            var tile = tileSize > 0 ? new byte[tileSize * tileSize * channels * bytesPerSample] : [];
            for (int top = 0; top < height; top += bandRows)
            {
                int rows = Math.Min(bandRows, height - top);
                Array.Clear(band);
                fillBand(top, rows, band);
                for (int i = 0; i < rows * width * channels; i++)
                {
                    int v = (int)MathF.Round(Math.Clamp(band[i], 0f, 1f) * max);
                    if (bits == 8) packed[i] = (byte)v;
                    else BitConverter.TryWriteBytes(packed.AsSpan(2 * i), (ushort)v);
                }
                int rowBytes = width * channels * bytesPerSample;
                if (tileSize == 0)
                {
                    for (int y = 0; y < rows; y++)
                        if (!tiff.WriteScanline(packed, y * rowBytes, top + y, 0)) throw new IOException($"{path}: cannot write row {top + y}");
                    continue;
                }
                int tileRowBytes = tileSize * channels * bytesPerSample;
                for (int left = 0; left < width; left += tileSize)
                {
                    Array.Clear(tile);
                    int copy = Math.Min(tileSize, width - left) * channels * bytesPerSample;
                    for (int y = 0; y < rows; y++)
                        Buffer.BlockCopy(packed, y * rowBytes + left * channels * bytesPerSample, tile, y * tileRowBytes, copy);
                    if (tiff.WriteTile(tile, left, top, 0, 0) < 0) throw new IOException($"{path}: cannot write the tile at ({left}, {top})");
                }
            }
            tiff.Flush();
        });
    }
}
