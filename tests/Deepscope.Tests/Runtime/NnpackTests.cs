using Deepscope.Runtime;

namespace Deepscope.Tests.Runtime;

public class NnpackTests
{
    /// <summary>The switch reaches libtorch's own global context (the exported C++ functions resolve in the loaded libtorch).</summary>
    [Fact]
    public void DisableSwitchesNnpackOffInLibtorch()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the switch is bound through libtorch's Linux exports");
        Nnpack.Disable();
        Assert.False(Nnpack.Enabled);
    }
}
