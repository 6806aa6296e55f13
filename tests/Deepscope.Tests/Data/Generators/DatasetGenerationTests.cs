using Deepscope.Catalogs;
using Deepscope.Data.Generators;
using Deepscope.Numerics;
using Deepscope.Tests.Support;

namespace Deepscope.Tests.Data.Generators;

/// <summary>The generator contract: seeded output, parameters from the command line, whole-or-nothing folders.</summary>
[Collection(GeneratorCatalogCollection.Name)]
public sealed class DatasetGenerationTests : IDisposable
{
    const string Name = "test-numbers";
    readonly string _root = Directory.CreateTempSubdirectory("deepscope-generate-").FullName;

    public sealed record NumbersOptions
    {
        [Param(Min = 1, Description = "numbers to write")] public int Count { get; init; } = 4;
        [Param(Description = "fail after writing the first file")] public bool FailHalfway { get; init; }
    }

    /// <summary>Writes Count seeded numbers, one file each.</summary>
    sealed class NumbersGenerator(NumbersOptions options) : IDatasetGenerator
    {
        public string Generate(string folder, long seed, IProgressReporter progress)
        {
            for (var i = 0; i < options.Count; i++)
            {
                File.WriteAllText(Path.Combine(folder, $"{i}.txt"), SplitMix64.Derive((ulong)seed, (ulong)i).ToString());
                if (options.FailHalfway) throw new DeepscopeException("generator failed on purpose");
            }
            return $"{options.Count} numbers";
        }
    }

    public DatasetGenerationTests() =>
        GeneratorCatalog.Catalog.Add(Name, "seeded numbers (test)", () => new NumbersOptions(), o => new NumbersGenerator(o));

    public void Dispose()
    {
        GeneratorCatalog.Catalog.Remove(Name);
        Directory.Delete(_root, recursive: true);
    }

    string[] Files(string folder) => Directory.GetFiles(folder).Select(f => File.ReadAllText(f)).ToArray();

    [Fact]
    public void Cli_passes_kebab_case_parameters_and_the_seed_and_is_deterministic()
    {
        var (a, b, c) = (Path.Combine(_root, "a"), Path.Combine(_root, "b"), Path.Combine(_root, "c"));
        var first = CliRunner.Run("data", "generate", Name, "--count", "6", "--seed", "3", "--output", a);
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.Contains("6 numbers", first.Out);
        CliRunner.Run("data", "generate", Name, "--count=6", "--seed", "3", "--output", b);
        CliRunner.Run("data", "generate", Name, "--count", "6", "--seed", "4", "--output", c);
        Assert.Equal(6, Directory.GetFiles(a).Length);
        Assert.Equal(Files(a), Files(b));
        Assert.NotEqual(Files(a), Files(c));
    }

    [Fact]
    public void A_failed_generation_leaves_no_folder_behind()
    {
        var output = Path.Combine(_root, "failed");
        var result = CliRunner.Run("data", "generate", Name, "--fail-halfway", "--output", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failed on purpose", result.Err);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(_root));
    }

    [Fact]
    public void A_non_empty_folder_is_kept_unless_forced_and_unknown_parameters_are_named()
    {
        var output = Path.Combine(_root, "kept");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "mine.txt"), "user data");
        var refused = CliRunner.Run("data", "generate", Name, "--output", output);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not empty", refused.Err);
        Assert.True(File.Exists(Path.Combine(output, "mine.txt")));

        Assert.Equal(0, CliRunner.Run("data", "generate", Name, "--output", output, "--force").ExitCode);
        Assert.Equal(4, Directory.GetFiles(output).Length);

        var unknown = CliRunner.Run("data", "generate", Name, "--cuont", "3", "--output", Path.Combine(_root, "x"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("cuont", unknown.Err);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GeneratorCatalogCollection
{
    public const string Name = "generator catalog";
}
