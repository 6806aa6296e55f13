using System.Globalization;
using System.Text;
using Deepscope.Catalogs;
using Deepscope.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Deepscope.Data.Generators;

public sealed record SemiconductorOptions
{
    [Param(Min = 2, Description = "images in all (training and test)")] public int Count { get; init; } = 5000;
    [Param(Min = 0, Max = 0.9, Description = "fraction of the images in the unlabelled test folder")] public double TestFraction { get; init; } = 0.1;
    [Param(Min = 0, Max = 1, Description = "fraction of defective (bad) packages")] public double BadFraction { get; init; } = 0.25;
    [Param(Min = 0, Max = 0.5, Description = "fraction of training labels flipped (test labels stay true)")] public double LabelNoise { get; init; } = 0.03;
    [Param(Min = 32, Max = 1024, Description = "image height and width in pixels")] public int ImageSize { get; init; } = 224;
}

/// <summary>
/// The stand-in for the Nexperia inspection contest's private images: grey packages with leads (<see cref="DieImage"/>),
/// some with scratches, particles, chipped edges or missing leads. Writes <c>train/good_0/ID.png</c> and
/// <c>train/bad_1/ID.png</c> (the contest's folder names; a few percent of the training labels flipped), an unlabelled
/// <c>test/ID.png</c>, <c>test_labels.csv</c> (<c>id,label</c>, 1 = bad, the same ids a submission has) and
/// <c>manifest.csv</c> (every image's split, true label, given label and defects).
/// </summary>
public sealed class SemiconductorGenerator(SemiconductorOptions options) : IDatasetGenerator
{
    public const string GoodClass = "good_0", BadClass = "bad_1", TestFolder = "test", TrainFolder = "train", TestLabelsFile = "test_labels.csv";

    static readonly DieDefect[] DefectKinds = [DieDefect.Scratch, DieDefect.Particle, DieDefect.ChippedEdge, DieDefect.MissingLead];

    /// <summary>What the generator decided for one image before drawing it.</summary>
    public sealed record Plan(string Id, bool Test, IReadOnlyList<DieDefect> Defects, bool LabelFlipped)
    {
        public bool Bad => Defects.Count > 0;
        public bool GivenBad => Bad != LabelFlipped;
    }

    /// <summary>Every image's plan, from the seed alone (the images are drawn from per-image seeds in any order).</summary>
    public IReadOnlyList<Plan> Plans(long seed)
    {
        var random = new Random(unchecked((int)SplitMix64.Derive((ulong)seed, 0)));
        int tests = (int)Math.Round(options.Count * options.TestFraction);
        var plans = new List<Plan>(options.Count);
        for (int i = 0; i < options.Count; i++)
        {
            bool test = i >= options.Count - tests;
            var defects = new List<DieDefect>();
            if (random.NextDouble() < options.BadFraction)
            {
                defects.Add(DefectKinds[random.Next(DefectKinds.Length)]);
                if (random.NextDouble() < 0.2) defects.Add(DefectKinds[random.Next(DefectKinds.Length)]);
            }
            bool flipped = !test && random.NextDouble() < options.LabelNoise;
            plans.Add(new Plan((i + 1).ToString("D6", CultureInfo.InvariantCulture), test, defects, flipped));
        }
        return plans;
    }

    public string Generate(string folder, long seed, IProgressReporter progress)
    {
        var plans = Plans(seed);
        foreach (var sub in new[] { Path.Combine(TrainFolder, GoodClass), Path.Combine(TrainFolder, BadClass), TestFolder })
            Directory.CreateDirectory(Path.Combine(folder, sub));
        using var task = progress.Start("semiconductor images", plans.Count, "img");
        var encoder = new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };
        Parallel.For(0, plans.Count, i =>
        {
            var plan = plans[i];
            var random = new Random(unchecked((int)SplitMix64.Derive((ulong)seed, 1, (ulong)i)));
            var pixels = DieImage.Render(options.ImageSize, plan.Defects, random);
            using var image = Image.LoadPixelData<L8>(pixels, options.ImageSize, options.ImageSize);
            image.SaveAsPng(Path.Combine(folder, RelativePath(plan)), encoder);
            task.Advance(1);
        });

        var labels = new StringBuilder("id,label\n");
        var manifest = new StringBuilder("id,split,label,given_label,defects\n");
        foreach (var p in plans)
        {
            if (p.Test) labels.Append(CultureInfo.InvariantCulture, $"{p.Id},{(p.Bad ? 1 : 0)}\n");
            manifest.Append(CultureInfo.InvariantCulture,
                $"{p.Id},{(p.Test ? "test" : "train")},{(p.Bad ? 1 : 0)},{(p.Test ? "" : p.GivenBad ? "1" : "0")},{string.Join('+', p.Defects).ToLowerInvariant()}\n");
        }
        File.WriteAllText(Path.Combine(folder, TestLabelsFile), labels.ToString());
        File.WriteAllText(Path.Combine(folder, "manifest.csv"), manifest.ToString());
        int testCount = plans.Count(p => p.Test);
        return string.Create(CultureInfo.InvariantCulture,
            $"{plans.Count - testCount} training images ({plans.Count(p => !p.Test && p.GivenBad)} labelled bad, {plans.Count(p => p.LabelFlipped)} labels flipped), " +
            $"{testCount} test images ({plans.Count(p => p.Test && p.Bad)} bad), {options.ImageSize}x{options.ImageSize} grey");
    }

    static string RelativePath(Plan plan) => plan.Test
        ? Path.Combine(TestFolder, plan.Id + ".png")
        : Path.Combine(TrainFolder, plan.GivenBad ? BadClass : GoodClass, plan.Id + ".png");
}
