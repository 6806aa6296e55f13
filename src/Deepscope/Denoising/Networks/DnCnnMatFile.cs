using PureHDF;
using PureHDF.VOL.Native;
using static TorchSharp.torch;

namespace Deepscope.Denoising.Networks;

/// <summary>
/// Reads the published DnCNN MatConvNet models (cszn/DnCNN <c>model/specifics/sigma=*.mat</c>, MATLAB v7.3 = HDF5):
/// <c>/net/layers</c> is a cell of references to layer structs; each conv layer holds a 1x2 cell {W, b}. HDF5 stores
/// MATLAB's column-major arrays with the dimensions reversed, so W (MATLAB 3x3xInxOut) reads as [out][in][col][row]:
/// swapping the last two axes gives PyTorch's [out][in][row][col]. Batch norm is already folded into W and b; the
/// network takes images in [0, 1] (MATLAB's im2double) and outputs the noise.
/// </summary>
public static class DnCnnMatFile
{
    public static DnCnn Load(string path)
    {
        if (!File.Exists(path)) throw new DeepscopeException($"{path}: file not found");
        var convolutions = new List<(float[] Weight, long[] Shape, float[] Bias)>();
        try
        {
            using var file = H5File.OpenRead(path);
            foreach (var reference in file.Dataset("net/layers").Read<NativeObjectReference1[]>())
            {
                var layer = (NativeGroup)file.Get(reference);
                var type = new string(layer.Dataset("type").Read<ushort[]>().Select(c => (char)c).ToArray());
                if (type == "bnorm") throw new DeepscopeException($"{path}: has batch-norm layers; fold them first (MatConvNet's vl_simplenn_mergebnorm)");
                if (type != "conv") continue;
                var weights = layer.Dataset("weights").Read<NativeObjectReference1[]>();
                var w = (NativeDataset)file.Get(weights[0]);
                var b = (NativeDataset)file.Get(weights[1]);
                convolutions.Add((w.Read<float[]>(), w.Space.Dimensions.Select(d => (long)d).ToArray(), b.Read<float[]>()));
            }
        }
        catch (Exception e) when (e is not DeepscopeException)
        {
            throw new DeepscopeException($"{path}: not a DnCNN MatConvNet model (MATLAB v7.3 with /net/layers): {e.Message}");
        }
        if (convolutions.Count < 2) throw new DeepscopeException($"{path}: {convolutions.Count} conv layers, expected a DnCNN");
        int width = (int)convolutions[0].Bias.Length;
        var model = new DnCnn(convolutions.Count, width, batchNorm: false);
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var (conv, (weight, shape, bias)) in model.Convolutions.Cast<TorchSharp.Modules.Conv2d>().Zip(convolutions))
            {
                var target = conv.weight!;
                // The last layer's trailing MATLAB dimension of 1 is dropped: (in, col, row) then.
                long[] hdf = shape.Length == 4 ? shape : [1, .. shape];
                if (hdf[0] != target.shape[0] || hdf[1] != target.shape[1] || hdf[2] * hdf[3] != target.shape[2] * target.shape[3])
                    throw new DeepscopeException($"{path}: conv weight of HDF5 shape ({string.Join(", ", shape)}) does not fit ({string.Join(", ", target.shape)})");
                target.copy_(tensor(weight, hdf).transpose(2, 3));
                conv.bias!.copy_(tensor(bias));
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }
}
