using Deepscope.Robustness;
using Deepscope.Tests.Training;
using Deepscope.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Robustness;

/// <summary>Every attack keeps its budget and the pixel box, is seeded, and finds what theory says it should.</summary>
public class AttackTests : IClassFixture<SingleThreaded>
{
    /// <summary>A small random CNN on 1x8x8 images with 4 classes, in evaluation mode.</summary>
    static nn.Module<Tensor, Tensor> SmallCnn()
    {
        random.manual_seed(11);
        var model = nn.Sequential(nn.Conv2d(1, 6, 3, padding: 1), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 8 * 8, 4));
        // As every Deepscope model: oneDNN's plain gradient for this 1-channel input is wrong (and varies) at AVX-512.
        Deepscope.Models.RoutedConv2d.RouteConvolutions(model);
        model.eval();
        return model;
    }

    static (Tensor Images, Tensor Labels) Batch(long n = 12, double low = 0, double high = 1)
    {
        var generator = new Generator(5);
        var images = empty(n, 1, 8, 8).uniform_(low, high, generator: generator);
        var labels = randint(4, [n], generator: generator);
        return (images, labels);
    }

    public static TheoryData<string> BudgetedAttacks => ["fgsm", "pgd-linf", "pgd-l2", "pgd-linf-restarts", "pgd-linf-no-start"];

    static (IAttack Attack, AttackNorm Norm, double Epsilon) Make(string name) => name switch
    {
        "fgsm" => (new Fgsm(0.1), AttackNorm.LInf, 0.1),
        "pgd-linf" => (new Pgd(0.1, 0.03, 7), AttackNorm.LInf, 0.1),
        "pgd-l2" => (Pgd.L2(0.5, 0.2, 7), AttackNorm.L2, 0.5),
        "pgd-linf-restarts" => (new Pgd(0.05, 0.02, 3, Restarts: 3), AttackNorm.LInf, 0.05),
        "pgd-linf-no-start" => (new Pgd(0.1, 0.03, 5, RandomStart: false), AttackNorm.LInf, 0.1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(BudgetedAttacks))]
    public void BudgetedAttacksStayInTheBallAndTheBox(string name)
    {
        var (attack, norm, epsilon) = Make(name);
        var model = SmallCnn();
        var (images, labels) = Batch();
        using var result = AttackRunner.Run(model, attack, images, labels, seed: 1, batchSize: 5);
        var norms = norm == AttackNorm.LInf ? result.LInf : result.L2;
        Assert.All(norms, d => Assert.True(d <= epsilon * (1 + 1e-5), $"{name}: perturbation {d} > eps {epsilon}"));
        Assert.True(result.Adversarial.min().item<float>() >= 0 && result.Adversarial.max().item<float>() <= 1, $"{name} leaves the pixel box");
        Assert.Equal(images.shape, result.Adversarial.shape);
        Assert.True(result.RobustAccuracy <= result.CleanAccuracy, $"{name} made the model better: {result.CleanAccuracy} -> {result.RobustAccuracy}");
    }

    [Theory]
    [InlineData("cw")]
    [InlineData("deepfool")]
    public void MinimalPerturbationAttacksStayInTheBox(string name)
    {
        IAttack attack = name == "cw" ? new CarliniWagnerL2(C: 10, Steps: 100) : new DeepFool(Steps: 10);
        var (images, labels) = Batch(48); // enough correct answers for the success rate to mean something
        using var result = AttackRunner.Run(SmallCnn(), attack, images, labels, seed: 1);
        Assert.True(result.Adversarial.min().item<float>() >= 0 && result.Adversarial.max().item<float>() <= 1);
        Assert.All(result.L2, d => Assert.True(float.IsFinite(d)));
        Assert.True(result.SuccessRate > 0.5, $"{name} fooled only {result.SuccessRate:P0} of a random CNN's correct answers");
    }

    [Fact]
    public void FgsmIsTheSignOfTheAutogradGradient()
    {
        var model = SmallCnn();
        // Pixels away from the box edges so that no clamp applies.
        var (images, labels) = Batch(8, 0.2, 0.8);
        var input = images.clone().requires_grad_(true);
        nn.functional.cross_entropy(model.forward(input), labels).backward();
        var expected = images + 0.1 * input.grad!.sign();
        using var adversarial = new Fgsm(0.1).Perturb(model, images, labels, new Generator(0));
        Assert.True(adversarial.eq(expected).all().item<bool>(), "FGSM differs from x + eps sign(grad)");
    }

    /// <summary>
    /// A linear model z = W x + b with every logit negative (b = -100): the smallest L2 perturbation that changes the
    /// answer is min over k of (z_y - z_k) / |w_y - w_k|, along w_k - w_y.
    /// </summary>
    static (nn.Module<Tensor, Tensor> Model, Tensor Images, Tensor Labels, double[] Minimal) LinearProblem()
    {
        random.manual_seed(3);
        var linear = nn.Linear(16, 3);
        using (no_grad())
        {
            linear.weight!.copy_(randn(3, 16) * 0.5);
            linear.bias!.fill_(-100);
        }
        var model = nn.Sequential(nn.Flatten(), linear);
        model.eval();
        var images = empty(6, 1, 4, 4).uniform_(0.4, 0.6, generator: new Generator(9));
        using var logits = model.forward(images);
        var labels = logits.argmax(1);
        var w = linear.weight!;
        var minimal = new double[6];
        for (int i = 0; i < 6; i++)
        {
            long y = labels[i].item<long>();
            minimal[i] = Enumerable.Range(0, 3).Where(k => k != y).Min(k =>
                (logits[i, y] - logits[i, k]).item<float>() / (w[y] - w[k]).norm().item<float>());
        }
        return (model, images, labels, minimal);
    }

    [Fact]
    public void CarliniWagnerFindsTheMinimalPerturbationOfALinearModel()
    {
        var (model, images, labels, minimal) = LinearProblem();
        // Pixels lie in [0.4, 0.6]: a minimal perturbation below 0.4 in L2 stays inside the box.
        Assert.All(minimal, m => Assert.True(m < 0.4, $"the problem needs perturbations inside the box, got {m}"));
        using var result = AttackRunner.Run(model, new CarliniWagnerL2(C: 1, Steps: 1000, LearningRate: 0.01, SearchSteps: 10), images, labels, seed: 0);
        for (int i = 0; i < minimal.Length; i++)
        {
            Assert.True(result.Fooled(i), $"example {i} not fooled");
            Assert.InRange(result.L2[i] / minimal[i], 1.0 - 1e-4, 1.02);
        }
    }

    [Fact]
    public void DeepFoolStepsOntoTheBoundaryOfALinearModel()
    {
        var (model, images, labels, minimal) = LinearProblem();
        using var result = AttackRunner.Run(model, new DeepFool(), images, labels, seed: 0);
        for (int i = 0; i < minimal.Length; i++)
        {
            Assert.True(result.Fooled(i), $"example {i} not fooled");
            // One linearisation is exact for a linear model: the step is the minimal one times 1 + overshoot.
            Assert.InRange(result.L2[i] / minimal[i], 1.02 - 1e-3, 1.02 + 1e-3);
        }
    }

    [Fact]
    public void AttacksAreDeterministicUnderASeed()
    {
        var model = SmallCnn();
        var (images, labels) = Batch();
        var attack = new Pgd(0.1, 0.03, 5, Restarts: 2);
        using var first = AttackRunner.Run(model, attack, images, labels, seed: 4, batchSize: 5);
        using var again = AttackRunner.Run(model, attack, images, labels, seed: 4, batchSize: 5);
        using var other = AttackRunner.Run(model, attack, images, labels, seed: 5, batchSize: 5);
        Assert.True(first.Adversarial.eq(again.Adversarial).all().item<bool>(), "same seed, different adversarial images");
        Assert.False(first.Adversarial.eq(other.Adversarial).all().item<bool>(), "the seed does not reach the random start");
        using var l2 = AttackRunner.Run(model, Pgd.L2(0.5, 0.2, 3), images, labels, seed: 4);
        using var l2Again = AttackRunner.Run(model, Pgd.L2(0.5, 0.2, 3), images, labels, seed: 4);
        Assert.True(l2.Adversarial.eq(l2Again.Adversarial).all().item<bool>());
    }

    /// <summary>At eps 0 the ball is the image: PGD returns it without running the model (an eps sweep's first point).</summary>
    [Theory]
    [InlineData(AttackNorm.LInf)]
    [InlineData(AttackNorm.L2)]
    public void PgdAtZeroEpsilonReturnsTheImagesWithoutGradients(AttackNorm norm)
    {
        var (images, labels) = Batch();
        var untouchable = nn.Sequential(nn.Flatten(), nn.Linear(64, 4));
        untouchable.register_forward_pre_hook((_, _) => throw new InvalidOperationException("the model ran"));
        using var adversarial = new Pgd(0, 0.01, 10, norm).Perturb(untouchable, images, labels, new Generator(1));
        Assert.True(adversarial.eq(images).all().item<bool>());
    }

    [Fact]
    public void TorchattacksDefaults()
    {
        Assert.Equal(8.0 / 255, new Fgsm().Epsilon);
        Assert.Equal((8.0 / 255, 2.0 / 255, 10, true), (new Pgd().Epsilon, new Pgd().StepSize, new Pgd().Steps, new Pgd().RandomStart));
        Assert.Equal((1.0, 0.2), (Pgd.L2().Epsilon, Pgd.L2().StepSize));
        Assert.Equal((1.0, 0.0, 50, 0.01), (new CarliniWagnerL2().C, new CarliniWagnerL2().Kappa, new CarliniWagnerL2().Steps, new CarliniWagnerL2().LearningRate));
        Assert.Equal((50, 0.02), (new DeepFool().Steps, new DeepFool().Overshoot));
    }

    [Fact]
    public void AttackOptionsLeftAtTheirDefaultsGiveEachAttacksDefaults()
    {
        Assert.Equal(new Fgsm(), new AttackOptions { Method = "fgsm" }.Create());
        Assert.Equal(new Pgd(), new AttackOptions { Method = "pgd" }.Create());
        Assert.Equal(Pgd.L2(), new AttackOptions { Method = "pgd", Norm = "l2" }.Create());
        Assert.Equal(new CarliniWagnerL2(), new AttackOptions { Method = "cw" }.Create());
        Assert.Equal(new DeepFool(), new AttackOptions { Method = "deepfool" }.Create());
        Assert.Equal(new Pgd(0.1, 0.01, 7, RandomStart: false, Restarts: 2),
            new AttackOptions { Method = "pgd", Steps = 7, StepSize = 0.01, RandomStart = false, Restarts = 2 }.Create(0.1));
        Assert.Equal(new double?[] { 8.0 / 255, 1.0, null }, new[] { "linf", "l2" }.Select(n => new AttackOptions { Norm = n }.DefaultEpsilon).Append(new AttackOptions { Method = "cw" }.DefaultEpsilon));
    }

    [Fact]
    public void PixelSpaceClassifierNormalisesLikeTheRunTransform()
    {
        var model = SmallCnn();
        var transform = new InputTransform([0.3f], [0.2f], 1, 8);
        var (images, _) = Batch(4);
        using var wrapped = new PixelSpaceClassifier(model, transform).forward(images);
        using var direct = model.forward(transform.Normalize(images.clone()));
        Assert.True(wrapped.allclose(direct, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ImagesOutsideThePixelBoxAreRefused()
    {
        var (images, labels) = Batch();
        var error = Assert.Throws<DeepscopeException>(() => AttackRunner.Run(SmallCnn(), new Fgsm(), images * 2, labels, seed: 0));
        Assert.Contains("[0, 1]", error.Message);
    }
}
