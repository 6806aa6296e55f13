using Deepscope.Data;
using Deepscope.Data.Sources;
using Deepscope.Tests.Support;
using static TorchSharp.torch;

namespace Deepscope.Tests.Data.Sources;

public class GeneratedSourceTests
{
    // One example: a 3x4 float image of uniform noise from the example's torch generator, and a label from System.Random.
    static GeneratedSource Noise(ulong seed, bool fresh) => new(50,
        [new FieldSpec(Fields.Input, ScalarType.Float32, [3, 4]), new FieldSpec(Fields.Label, ScalarType.Int64, [])],
        example =>
        {
            using var generator = example.NewGenerator();
            return new Dictionary<string, Tensor>
            {
                [Fields.Input] = rand([3, 4], generator: generator),
                [Fields.Label] = tensor((long)example.NewRandom().Next(10)),
            };
        }, seed, fresh);

    [Fact]
    public void AnExampleDependsOnlyOnSeedEpochAndIndex()
    {
        var source = Noise(7, fresh: true);
        using var batch = source.Read([3, 9, 3], epoch: 2);
        Assert.Equal([3L, 3, 4], batch[Fields.Input].shape);
        Assert.Equal(ScalarType.Float32, batch[Fields.Input].dtype);
        Assert.True(TensorAssert.Same(batch[Fields.Input][0], batch[Fields.Input][2])); // same index twice
        Assert.False(TensorAssert.Same(batch[Fields.Input][0], batch[Fields.Input][1]));

        // Read alone, on another source object with the same seed, in another order: the same bytes.
        using var alone = Noise(7, fresh: true).Read([9], epoch: 2);
        Assert.True(TensorAssert.Same(alone[Fields.Input][0], batch[Fields.Input][1]));
        Assert.Equal(batch[Fields.Label][1].item<long>(), alone[Fields.Label][0].item<long>());

        using var nextEpoch = source.Read([9], epoch: 3);
        Assert.False(TensorAssert.Same(nextEpoch[Fields.Input][0], alone[Fields.Input][0]));
        using var otherSeed = Noise(8, fresh: true).Read([9], epoch: 2);
        Assert.False(TensorAssert.Same(otherSeed[Fields.Input][0], alone[Fields.Input][0]));
    }

    [Fact]
    public void AFixedSourceGivesTheSameExamplesEveryEpoch()
    {
        var source = Noise(7, fresh: false);
        using var first = source.Read([0, 1, 2], epoch: 0);
        using var later = source.Read([0, 1, 2], epoch: 5);
        Assert.True(TensorAssert.Same(first[Fields.Input], later[Fields.Input]));
        Assert.Equal(source.SeedOf(1, 0), source.SeedOf(1, 5));
        Assert.NotEqual(Noise(7, fresh: true).SeedOf(1, 0).Seed, Noise(7, fresh: true).SeedOf(1, 5).Seed);
    }

    [Fact]
    public void AnExampleThatBreaksItsDeclaredFieldsIsNamed()
    {
        var wrong = new GeneratedSource(4, [new FieldSpec(Fields.Input, ScalarType.Float32, [2])],
            _ => new Dictionary<string, Tensor> { [Fields.Input] = zeros(3) }, seed: 1);
        var error = Assert.Throws<DeepscopeException>(() => wrong.Read([2], 0));
        Assert.Contains("generated example 2: field 'input' is Float32 (3), declared Float32 (2)", error.Message);
        Assert.Throws<DeepscopeException>(() => wrong.Read([4], 0));
    }

    [Fact]
    public void AWriterFillsEachExamplesRowOfTheBatch()
    {
        // Example i writes i into every pixel and 10 * i as its label, so any row mixed up or left unwritten shows.
        var source = new GeneratedSource(30, [new FieldSpec(Fields.Input, ScalarType.Int32, [2, 3]), new FieldSpec(Fields.Label, ScalarType.Int64, [])],
            (example, row) =>
            {
                row.Field<int>(Fields.Input).Fill((int)example.Index);
                row.Field<long>(Fields.Label)[0] = 10 * example.Index;
            }, seed: 1);
        using var batch = source.Read([7, 2, 29], epoch: 0);
        Assert.Equal([3L, 2, 3], batch[Fields.Input].shape);
        Assert.Equal([.. Enumerable.Repeat(7, 6), .. Enumerable.Repeat(2, 6), .. Enumerable.Repeat(29, 6)], batch[Fields.Input].data<int>().ToArray());
        Assert.Equal([70L, 20, 290], batch[Fields.Label].data<long>().ToArray());

        var wrongType = new GeneratedSource(3, [new FieldSpec(Fields.Label, ScalarType.Int64, [])], (_, row) => row.Field<int>(Fields.Label)[0] = 1, seed: 1);
        Assert.Contains("generated field 'label' holds Int64, not Int32", Assert.Throws<DeepscopeException>(() => wrongType.Read([0], 0)).Message);
        var wrongName = new GeneratedSource(3, [new FieldSpec(Fields.Label, ScalarType.Int64, [])], (_, row) => row.Field<long>("target")[0] = 1, seed: 1);
        Assert.Contains("no field 'target' (it has: label)", Assert.Throws<DeepscopeException>(() => wrongName.Read([0], 0)).Message);
    }

    [Fact]
    public void TranslatedDigitsHoldTheWholeDigitInsideTheCanvas()
    {
        // Digits with distinct nonzero values, so the canvas must contain exactly the digit and zeros elsewhere.
        using var images = randint(1, 256, [20, 1, 28, 28], dtype: ScalarType.Byte);
        using var labels = arange(20, dtype: ScalarType.Int64).remainder(10);
        var digits = new TensorSource(new Dictionary<string, Tensor> { [Fields.Input] = images, [Fields.Label] = labels });
        var translated = TranslatedDigits.Create(digits, seed: 3, canvas: 60, count: 40);
        Assert.Equal(40, translated.Count);
        using var batch = translated.Read([.. Enumerable.Range(0, 40).Select(i => (long)i)], epoch: 0);
        Assert.Equal([40L, 1, 60, 60], batch[Fields.Input].shape);
        Assert.Equal(ScalarType.Byte, batch[Fields.Input].dtype);
        var positions = batch[TranslatedDigits.Position].data<long>().ToArray();
        var seen = new HashSet<(long, long)>();
        for (int i = 0; i < 40; i++)
        {
            long row = positions[2 * i], column = positions[2 * i + 1];
            Assert.InRange(row, 0, 60 - 28);
            Assert.InRange(column, 0, 60 - 28);
            seen.Add((row, column));
            var canvas = batch[Fields.Input][i].to_type(ScalarType.Int64);
            var digit = images[i % 20].to_type(ScalarType.Int64);
            Assert.Equal(digit.sum().item<long>(), canvas.sum().item<long>());
            Assert.True(TensorAssert.Same(canvas.narrow(1, row, 28).narrow(2, column, 28), digit));
            Assert.Equal(labels[i % 20].item<long>(), batch[Fields.Label][i].item<long>());
        }
        Assert.True(seen.Count > 30, $"positions should vary, got {seen.Count} distinct of 40");
    }

    [Fact]
    public void TranslatedMnistKeepsEveryDigitsInk()
    {
        var store = new DatasetStore(SharedData.Require("mnist"), allowDownload: false);
        using var test = store.Load("mnist", Split.Test);
        using var first = test.Take(64);
        var translated = TranslatedDigits.Create(TensorSource.Labeled(first), seed: 11, freshEachEpoch: false);
        var loader = new BatchLoader(translated, 32);
        var sums = new List<long>();
        foreach (var batch in loader.Epoch(4))
            using (batch)
                sums.AddRange(batch[Fields.Input].to_type(ScalarType.Int64).sum([1, 2, 3]).data<long>().ToArray());
        using var digits = first.Images.to_type(ScalarType.Int64).sum([1, 2, 3]);
        Assert.Equal(digits.data<long>().ToArray(), sums);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], translated.Classes);
    }
}
