using static TorchSharp.torch;

namespace Deepscope.Training;

public static class OptimizerExtensions
{
    /// <summary>
    /// Drops the gradients before a backward pass instead of zeroing them (PyTorch 2's <c>zero_grad(set_to_none=True)</c>):
    /// backward then keeps each fresh gradient rather than adding it to a zeroed buffer, which saves a write and a
    /// read-add-write of every gradient per step and changes no value (0 + g is exactly g).
    /// </summary>
    public static void ClearGradients(this optim.Optimizer optimizer)
    {
        foreach (var parameter in optimizer.parameters()) parameter.grad = null;
    }
}
