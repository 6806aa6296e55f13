using Deepscope.Catalogs;
using Deepscope.Training.Steps;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Models.Attention;

/// <summary>The recurrent core of the attention model.</summary>
public enum AttentionCore { Rnn, Lstm }

/// <summary>How glimpse locations are chosen.</summary>
public enum GlimpsePolicy
{
    /// <summary>The learned Gaussian policy (trained by REINFORCE).</summary>
    Learned,
    /// <summary>Uniformly random locations: the control that shows what the learned policy adds.</summary>
    Random,
}

/// <summary>The recurrent attention model's sizes (defaults: the paper's MNIST model, 6 glimpses of 8x8).</summary>
public sealed record RamOptions
{
    [Param(Min = 1, Description = "glimpses per image")] public int Glimpses { get; init; } = 6;
    [Param(Min = 2, Description = "side of the retina's patches after shrinking, in pixels")] public int Patch { get; init; } = 8;
    [Param(Min = 1, Max = 6, Description = "patches per glimpse, each scale_factor times wider than the last")] public int Scales { get; init; } = 1;
    [Param(Min = 2, Max = 4, Description = "width ratio of successive patches")] public int ScaleFactor { get; init; } = 2;
    [Param(Min = 1, Description = "hidden units of the glimpse's 'what' pathway (h_g)")] public int GlimpseHidden { get; init; } = 128;
    [Param(Min = 1, Description = "hidden units of the glimpse's 'where' pathway (h_l)")] public int LocationHidden { get; init; } = 128;
    [Param(Min = 1, Description = "glimpse feature size (the core's input)")] public int GlimpseFeatures { get; init; } = 256;
    [Param(Min = 1, Description = "units of the recurrent core")] public int CoreSize { get; init; } = 256;
    [Param(Description = "recurrent core: rnn (ReLU, as the paper) or lstm")] public AttentionCore Core { get; init; } = AttentionCore.Rnn;
    [Param(Min = 1e-4, Max = 1, Description = "standard deviation of the Gaussian location policy, in [-1, 1] image units")] public double LocationStd { get; init; } = 0.1;
    [Param(Min = 0, Max = 1, Description = "policy sigma at the end of training, reached from location_std by a cosine (0: sigma stays constant)")] public double FinalLocationStd { get; init; }
    [Param(Min = 0, Description = "hidden ReLU units of the location network (0: the paper's linear map of the core state)")] public int LocatorHidden { get; init; }
    [Param(Description = "learned (REINFORCE) or random glimpse locations")] public GlimpsePolicy Policy { get; init; } = GlimpsePolicy.Learned;

    public Retina Retina => new(Patch, Scales, ScaleFactor);
}

/// <summary>What one forward pass saw: every glimpse location (N, T, 2) and the class probabilities after each glimpse (N, T, K).</summary>
public sealed record GlimpseTrace(Tensor Locations, Tensor Probabilities) : IDisposable
{
    public void Dispose()
    {
        Locations.Dispose();
        Probabilities.Dispose();
    }
}

/// <summary>
/// The recurrent attention model (RAM, Mnih et al. 2014). At each of T steps the glimpse network combines what the
/// retina sees (h_g) with where it looked (h_l) into g_t; the core updates its state h_t from g_t; the location network
/// proposes the next location as a Gaussian around tanh(W h_t) (tanh(W ReLU(V h_t)) with
/// <see cref="RamOptions.LocatorHidden"/>, as current reimplementations); after T glimpses a linear classifier reads h_T.
/// The first location is an action of the same policy from the empty state h_0 = 0, so the model learns where to look
/// first. Gradients are isolated as the hybrid loss needs: the location network and the baseline read h_t detached
/// (REINFORCE trains only the location network, the baseline's MSE only the baseline) and sampled locations are
/// detached (the classification loss never reaches the location network).
/// </summary>
public sealed class RecurrentAttentionModel : nn.Module, IPolicyModel
{
    readonly Linear whatHidden, whereHidden, what, where, locator, baseline, classifier;
    readonly Linear? inputToCore, coreToCore, locatorHidden;
    readonly LSTMCell? lstm;

    public RamOptions Options { get; }
    public long Channels { get; }
    public long NumClasses { get; }

    /// <summary>In evaluation mode: take the policy's mean location (true, default) or sample it.</summary>
    public bool EvaluateWithMean { get; set; } = true;

    double _trainingProgress;

    /// <summary>Where the policy's sigma is on its way from <see cref="RamOptions.LocationStd"/> to <see cref="RamOptions.FinalLocationStd"/>; a loaded model is told 1.</summary>
    public void SetTrainingProgress(double progress) => _trainingProgress = Math.Clamp(progress, 0, 1);

    /// <summary>The policy's sigma now: constant, or annealed by a cosine as the learning rate is.</summary>
    public double LocationStd => Options.FinalLocationStd <= 0 ? Options.LocationStd
        : Options.FinalLocationStd + (Options.LocationStd - Options.FinalLocationStd) * (1 + Math.Cos(Math.PI * _trainingProgress)) / 2;

    public RecurrentAttentionModel(RamOptions options, long channels = 1, long numClasses = 10) : base(nameof(RecurrentAttentionModel))
    {
        Options = options;
        Channels = channels;
        NumClasses = numClasses;
        whatHidden = nn.Linear(options.Retina.Size(channels), options.GlimpseHidden);
        whereHidden = nn.Linear(2, options.LocationHidden);
        what = nn.Linear(options.GlimpseHidden, options.GlimpseFeatures);
        where = nn.Linear(options.LocationHidden, options.GlimpseFeatures);
        if (options.Core == AttentionCore.Lstm) lstm = nn.LSTMCell(options.GlimpseFeatures, options.CoreSize);
        else
        {
            inputToCore = nn.Linear(options.GlimpseFeatures, options.CoreSize);
            coreToCore = nn.Linear(options.CoreSize, options.CoreSize);
        }
        if (options.LocatorHidden > 0) locatorHidden = nn.Linear(options.CoreSize, options.LocatorHidden);
        locator = nn.Linear(options.LocatorHidden > 0 ? options.LocatorHidden : options.CoreSize, 2);
        baseline = nn.Linear(options.CoreSize, 1);
        classifier = nn.Linear(options.CoreSize, numClasses);
        RegisterComponents();
    }

    public PolicyOutput Forward(Tensor input, Generator random) => Run(input, random, trace: false).Output;

    /// <summary>A forward pass that also returns where it looked and what it believed after each glimpse.</summary>
    public (PolicyOutput Output, GlimpseTrace Trace) Trace(Tensor input, Generator random)
    {
        var (output, trace) = Run(input, random, trace: true);
        return (output, trace!);
    }

    (PolicyOutput Output, GlimpseTrace? Trace) Run(Tensor input, Generator random, bool trace)
    {
        long n = input.shape[0];
        var retina = Options.Retina;
        using var images = Retina.Prepare(input);
        var hidden = zeros(n, Options.CoreSize, dtype: input.dtype);
        var cell = lstm is null ? null : zeros(n, Options.CoreSize, dtype: input.dtype);
        var logProbabilities = new List<Tensor>(Options.Glimpses);
        var baselines = new List<Tensor>(Options.Glimpses);
        var locations = new List<Tensor>(Options.Glimpses);
        var beliefs = new List<Tensor>(Options.Glimpses);
        for (int t = 0; t < Options.Glimpses; t++)
        {
            var (location, logProbability) = Locate(hidden, random);
            logProbabilities.Add(logProbability);
            baselines.Add(baseline.forward(hidden.detach()).squeeze(1));
            if (trace) locations.Add(location);
            var glimpse = retina.Sense(images, location).flatten(1);
            var features = nn.functional.relu(what.forward(nn.functional.relu(whatHidden.forward(glimpse)))
                + where.forward(nn.functional.relu(whereHidden.forward(location))));
            if (lstm is not null) (hidden, cell) = lstm.forward(features, (hidden, cell!));
            else hidden = nn.functional.relu(inputToCore!.forward(features) + coreToCore!.forward(hidden));
            if (trace) beliefs.Add(classifier.forward(hidden).softmax(1).detach());
        }
        var output = new PolicyOutput(classifier.forward(hidden), stack(logProbabilities, 1), stack(baselines, 1));
        return (output, trace ? new GlimpseTrace(stack(locations, 1), stack(beliefs, 1)) : null);
    }

    /// <summary>The next location (detached, clamped to the image) and its log-probability under the policy.</summary>
    (Tensor Location, Tensor LogProbability) Locate(Tensor hidden, Generator random)
    {
        long n = hidden.shape[0];
        if (Options.Policy == GlimpsePolicy.Random)
            return (rand(n, 2, generator: random, dtype: hidden.dtype) * 2 - 1, zeros(n, dtype: hidden.dtype));
        var state = hidden.detach();
        if (locatorHidden is not null) state = nn.functional.relu(locatorHidden.forward(state));
        var mean = locator.forward(state).tanh();
        if (!training && EvaluateWithMean) return (mean.detach(), zeros(n, dtype: hidden.dtype));
        double std = LocationStd;
        var sample = (mean.detach() + std * randn(n, 2, generator: random, dtype: hidden.dtype)).detach();
        // Gaussian log-density of the sample, summed over (row, column); the constant term does not change the gradient.
        var logProbability = (-(sample - mean).square() / (2 * std * std) - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI)).sum(1);
        return (sample.clamp(-1, 1), logProbability);
    }
}
