using Deepscope.Data;
using Deepscope.Learners;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Learners;

/// <summary>
/// The accuracy target: MNIST pixels / 255, first 10,000 training images, full test set, default options;
/// each learner at least scikit-learn 1.2's accuracy for the same model. The references were measured with
/// bench/peers/sklearn_learners.py on this machine (scikit-learn 1.2.1; its random forest has no fixed seed, so its
/// figure is one draw, 0.9495). Minutes of work: Long.
/// </summary>
[Trait(Category.Name, Category.Long)]
public class MnistLearnersTests
{
    static readonly Lazy<(Tensor X, Tensor Y, Tensor T, Tensor YT)> Mnist = new(() =>
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        using var train = store.Load(Datasets.Get("mnist"), Split.Train);
        using var test = store.Load(Datasets.Get("mnist"), Split.Test);
        using var first = train.Take(10_000);
        using var x = first.ToFloat();
        using var t = test.ToFloat();
        return (x.reshape(10_000, -1).contiguous(), first.Labels.clone(), t.reshape(t.shape[0], -1).contiguous(), test.Labels.clone());
    });

    [Theory]
    [InlineData("lda", 0.8531)]
    [InlineData("logreg", 0.9036)]
    [InlineData("svm-linear", 0.8886)]
    [InlineData("svm-rbf", 0.9594)]
    [InlineData("rf", 0.9495)]
    [InlineData("knn", 0.9442)]
    public void Accuracy_reaches_scikit_learns(string name, double sklearnAccuracy)
    {
        SharedData.Require("mnist");
        var (x, y, t, yt) = Mnist.Value;
        using var model = LearnerCatalog.Create(name).Fit(x, y);
        double accuracy = model.Score(t, yt);
        Assert.True(accuracy >= sklearnAccuracy, $"{name}: accuracy {accuracy:F4} below scikit-learn's {sklearnAccuracy:F4}");
    }
}
