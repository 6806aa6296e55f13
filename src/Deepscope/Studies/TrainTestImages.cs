using Deepscope.Data;

namespace Deepscope.Studies;

/// <summary>A dataset's training and test splits for a study cell, each cut to its first N images (0: all).</summary>
public sealed class TrainTestImages : IDisposable
{
    public LabeledImages Train { get; }
    public LabeledImages Test { get; }

    TrainTestImages(LabeledImages train, LabeledImages test) => (Train, Test) = (train, test);

    /// <summary>Loads <paramref name="dataset"/> through the context's store (downloading when allowed).</summary>
    public static TrainTestImages Load(StudyContext context, string dataset, long trainLimit, long testLimit)
    {
        var spec = Datasets.Get(dataset);
        var store = context.Datasets;
        store.EnsurePresent(spec);
        using var train = store.Load(spec, Split.Train);
        using var test = store.Load(spec, Split.Test);
        return new TrainTestImages(train.Take(trainLimit > 0 ? trainLimit : train.Count), test.Take(testLimit > 0 ? testLimit : test.Count));
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
