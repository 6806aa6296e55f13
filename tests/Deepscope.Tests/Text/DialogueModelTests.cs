using Deepscope.Models.Text;
using Deepscope.Tests.Training;
using static TorchSharp.torch;

namespace Deepscope.Tests.Text;

public class DialogueModelTests : IClassFixture<SingleThreaded>
{
    static readonly DialogueModelSize Size = new(Vocabulary: 30, Embedding: 6, Hidden: 5, ContextHidden: 4, Dropout: 0);

    [Fact]
    public void MaxPoolAndLastStateSkipPadding()
    {
        using var states = tensor(new float[] { 1, 9, 3, -2, -7, 100 }).view(2, 3, 1);
        using var mask = tensor(new[] { true, true, false, true, false, false }).view(2, 3);
        Assert.Equal([9f, -2f], Sequences.MaxPool(states, mask).data<float>().ToArray());
        Assert.Equal([9f, -2f], Sequences.Last(states, mask).data<float>().ToArray());
    }

    [Fact]
    public void TheBaselineIgnoresTrailingPadding()
    {
        random.manual_seed(1);
        using var model = new LstmBaseline(Size);
        model.eval();
        using var ids = tensor(new long[] { 5, 6, 2, 7, 9 }).view(1, 5);
        using var padded = tensor(new long[] { 5, 6, 2, 7, 9, 0, 0, 0 }).view(1, 8);
        using var a = model.forward(ids);
        using var b = model.forward(padded);
        Assert.Equal([1L, 4L], a.shape);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void BcLstmModelsReadTheThreeTurnsAndHavePyTorchNames()
    {
        random.manual_seed(2);
        foreach (nn.Module<Tensor, Tensor> model in new nn.Module<Tensor, Tensor>[] { new BcLstm(Size), new AttentiveBcLstm(Size) })
        {
            model.eval();
            using var ids = tensor(new long[] { 3, 4, 2, 0, 5, 2, 0, 0, 6, 7, 8, 2, 3, 2, 0, 0, 9, 2, 0, 0, 4, 4, 2, 0 }).view(2, 12);
            using var changedFirstTurn = ids.clone();
            changedFirstTurn[0, 0] = tensor(9L);
            using var output = model.forward(ids);
            using var changed = model.forward(changedFirstTurn);
            Assert.Equal([2L, 4L], output.shape);
            Assert.False(output[0].allclose(changed[0]), "the first turn must reach the prediction through the context LSTM");
            Assert.True(output[1].allclose(changed[1]), "rows are independent");
            Assert.Contains("utterance.weight_ih_l0_reverse", model.state_dict().Keys);
            model.Dispose();
        }
    }
}
