using System.Text.Json;
using Deepscope.Data.Generators;
using Deepscope.Experiments;
using Deepscope.Studies;
using Deepscope.Tests.Data.Generators;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Segmentation;

/// <summary>The glass study and the segment commands end to end on tiny synthetic plates.</summary>
[Collection(GeneratorCatalogCollection.Name)]
public sealed class GlassStudyTests
{
    static void Generate(string folder, int width, int height, int count, long seed) =>
        DatasetGeneration.Generate(new GlassGenerator(new GlassOptions { Width = width, Height = height, Count = count, DefectsPerMegapixel = 60 }), folder, seed);

    /// <summary>A tiny study whose folders are relative to its file, as in experiments/glass-*.yaml.</summary>
    static StudyPlan TinyStudy(TempDir dir, string encoders)
    {
        Generate(dir.File("train"), 512, 256, 1, 1);
        Generate(dir.File("test"), 384, 256, 1, 2);
        File.WriteAllText(dir.File("glass.yaml"), $"""
            study: glass
            seed: 1
            data: train
            validation: train
            test: test
            encoders: [{encoders}]
            patch_size: 64
            patches_per_epoch: 8
            validation_patches: 4
            epochs: 1
            batch_size: 4
            tile: 128
            crops: 2
            """);
        return StudyFile.Load(dir.File("glass.yaml"));
    }

    static string[] ReportedEncoders(string run)
    {
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "results.json")));
        return [.. results.RootElement.GetProperty("encoders").EnumerateArray().Select(e => e.GetProperty("encoder").GetString()!)];
    }

    [Fact]
    public void Study_trains_evaluates_and_reports_each_encoder_with_an_overlay_figure()
    {
        using var dir = new TempDir();
        StudyHost.Run(TinyStudy(dir, "scattering"), new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Threads: 1));

        using var results = JsonDocument.Parse(File.ReadAllText(dir.File("run/results.json")));
        var encoder = results.RootElement.GetProperty("encoders").EnumerateArray().Single();
        Assert.Equal("scattering", encoder.GetProperty("encoder").GetString());
        Assert.Equal(6, encoder.GetProperty("iou").GetArrayLength());
        Assert.InRange(encoder.GetProperty("pixel_accuracy").GetDouble(), 0, 1);
        Assert.True(encoder.GetProperty("megapixels_per_second").GetDouble() > 0);
        Assert.Equal(384 * 256 / 1e6, encoder.GetProperty("megapixels").GetDouble(), 9);
        Assert.True(File.Exists(dir.File("run/figures/overlays.png")));
        Assert.True(File.Exists(dir.File("run/predictions/scattering/glass_000.tif")));
        Assert.StartsWith("defect,class,left,top", File.ReadAllLines(dir.File("run/predictions/scattering/glass_000.csv"))[0]);
    }

    [Fact]
    public void A_shard_reports_only_its_own_encoders_and_the_merged_report_all()
    {
        using var dir = new TempDir();
        var plan = TinyStudy(dir, "scattering, resnet18");
        StudyHost.Run(plan, new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Shard: new Shard(0, 2), Threads: 1));
        Assert.Equal(["scattering"], ReportedEncoders(dir.File("run")));
        Assert.False(Directory.Exists(dir.File("run/models/resnet18")), "shard 0 trained shard 1's encoder while writing its report");
        Assert.Contains("Not trained or evaluated yet (other shards, or a run still going): resnet18", File.ReadAllText(dir.File("run/report.md")));

        StudyHost.Run(plan, new RunSettings(dir.File("run"), CacheDirectory: dir.File("cache"), Shard: new Shard(1, 2), Threads: 1));
        StudyHost.Report(dir.File("run"));
        Assert.Equal(["scattering", "resnet18"], ReportedEncoders(dir.File("run")));
        Assert.DoesNotContain("Not trained or evaluated yet", File.ReadAllText(dir.File("run/report.md")));
    }

    [Fact]
    public void Segment_cli_trains_predicts_a_mask_and_lists_defects()
    {
        using var dir = new TempDir();
        Generate(dir.File("g"), 256, 192, 1, 3);
        var train = CliRunner.Run("segment", "train", "--output", dir.File("run"), "--data", dir.File("g"), "--encoder", "resnet18", "--patch-size", "64",
            "--patches-per-epoch", "4", "--epochs", "1", "--batch-size", "2", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.Err);
        var predict = CliRunner.Run("segment", "predict", "--run", dir.File("run"), "--input", dir.File("g/images/glass_000.tif"), "--output", dir.File("mask.tif"),
            "--defects", dir.File("defects.csv"), "--tile", "64", "--threads", "1");
        Assert.True(predict.ExitCode == 0, predict.Err);
        Assert.Equal((192, 256), Deepscope.Data.ImageFile.ReadSize(dir.File("mask.tif")));
        Assert.StartsWith("defect,class,left,top,right,bottom,area_px,area_um2", File.ReadAllText(dir.File("defects.csv")));
        var missing = CliRunner.Run("segment", "predict", "--run", dir.File("nowhere"), "--input", dir.File("g/images/glass_000.tif"), "--output", dir.File("m.tif"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not a segmentation run", missing.Err);
    }
}
