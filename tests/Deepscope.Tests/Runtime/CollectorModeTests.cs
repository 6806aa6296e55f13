using System.Diagnostics;
using System.Runtime;
using Deepscope.Runtime;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Runtime;

public class CollectorModeTests
{
    [Fact]
    public void LoadingDeepscopeMakesCollectionsBlockingAndRunRecordsSaySo()
    {
        Assert.Equal(GCLatencyMode.Batch, GCSettings.LatencyMode);
        Assert.Equal("blocking", TorchRuntime.Versions()["gc"]);
    }

    /// <summary>
    /// The pattern that crashed <c>cryoem project</c> (2 runs of 13) and a bare loop within seconds under concurrent
    /// collections: implicit Scalars on 256x256 grids while 2 MB arrays trigger full collections. With background
    /// collections the temporary Scalar is freed mid-call ("Expected false to be true" in Scalar::toDouble, an integer
    /// alpha read as a float, or a wrong sum); with blocking ones the loop runs through. A regression kills the test host, which is the loud failure wanted.
    /// </summary>
    [Fact]
    [Trait(Category.Name, Category.Long)]
    public void TemporaryScalarsSurviveFullCollectionsOnOneThread()
    {
        var coefficients = Enumerable.Range(0, 9).Select(i => 0.1 * i).ToArray();
        var clock = Stopwatch.StartNew();
        int collectionsBefore = GC.CollectionCount(2);
        long wrong = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var scope = NewDisposeScope();
            var uv = arange(256, dtype: ScalarType.Float64) - 128;
            var (u, v, t) = (uv.reshape(1, 1, -1), uv.reshape(1, -1, 1), zeros(1, 1, 1, dtype: ScalarType.Float64));
            for (int axis = 0; axis < 3; axis++)
            {
                // At u = v = 127, t = 0; a freed alpha that does not crash shows as a wrong sum.
                var corner = (coefficients[axis] * u + coefficients[3 + axis] * v + coefficients[6 + axis] * t)[0, 255, 255].item<double>();
                if (Math.Abs(corner - 127 * (coefficients[axis] + coefficients[3 + axis])) > 1e-9) wrong++;
            }
            GC.KeepAlive(new float[32 * 128 * 128]);
        }
        Assert.True(GC.CollectionCount(2) - collectionsBefore > 100, "the loop must have run many full collections");
        Assert.Equal(0, wrong);
    }
}
