using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Deepscope.Models.Text;

/// <summary>How a model wants a dialogue's three turns as token ids.</summary>
public enum TurnLayout
{
    /// <summary>One sequence <c>turn1 &lt;eot&gt; turn2 &lt;eot&gt; turn3</c>, padded to the batch's longest: (N, T).</summary>
    Joined,
    /// <summary>Each turn ending in <c>&lt;eot&gt;</c>, cut or padded to the same length L, the turns side by side: (N, 3 L).</summary>
    PerTurn,
}

/// <summary>The sizes every dialogue model is built from. Padding is token id 0 (its embedding row stays zero).</summary>
public sealed record DialogueModelSize(int Vocabulary, int Embedding, int Hidden, int ContextHidden, double Dropout, int Classes = 4);

/// <summary>Shared pieces of the dialogue models: masks and poolings over padded token sequences.</summary>
static class Sequences
{
    /// <summary>(N, T) true where a token is not padding.</summary>
    public static Tensor Mask(Tensor ids) => ids.ne(0L);

    /// <summary>
    /// The (N * 3, L') turns of a per-turn batch (N, 3 L), cut to the batch's longest turn: the columns after it hold
    /// only padding, which a forward LSTM ignores anyway and the max-pooling masks, so dropping them changes no
    /// forward-direction state and saves their steps.
    /// </summary>
    public static Tensor Turns(Tensor ids)
    {
        var turns = ids.view(ids.shape[0] * 3, -1);
        long longest = Math.Max(1, turns.ne(0L).sum(1).max().item<long>());
        return turns.narrow(1, 0, longest);
    }

    /// <summary>Maximum over the real positions of (N, T, D) states.</summary>
    public static Tensor MaxPool(Tensor states, Tensor mask) =>
        states.masked_fill(mask.logical_not().unsqueeze(-1), float.NegativeInfinity).amax([1]);

    /// <summary>The state (N, D) at each row's last real position of (N, T, D).</summary>
    public static Tensor Last(Tensor states, Tensor mask)
    {
        var last = mask.sum(1).sub(1).clamp_min(0).view(-1, 1, 1).expand(-1, 1, states.shape[2]);
        return states.gather(1, last).squeeze(1);
    }
}

/// <summary>
/// The organisers' baseline of SemEval-2019 Task 3: the turns joined by an end-of-turn token, embedded, one LSTM, its
/// state at the last real token, a linear layer to the four classes. Input (N, T) token ids (layout
/// <see cref="TurnLayout.Joined"/>); output logits (N, 4).
/// </summary>
public sealed class LstmBaseline : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Embedding embedding;
    readonly LSTM lstm;
    readonly Dropout dropout;
    readonly Linear classifier;

    public LstmBaseline(DialogueModelSize size) : base(nameof(LstmBaseline))
    {
        embedding = nn.Embedding(size.Vocabulary, size.Embedding, padding_idx: 0);
        lstm = nn.LSTM(size.Embedding, size.Hidden, batchFirst: true);
        dropout = nn.Dropout(size.Dropout);
        classifier = nn.Linear(size.Hidden, size.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var (states, _, _) = lstm.forward(dropout.forward(embedding.forward(ids)));
        return classifier.forward(dropout.forward(Sequences.Last(states, Sequences.Mask(ids)))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// bc-LSTM (Poria et al. 2017, declare-lab/conv-emotion's baseline) for three-turn dialogues: one BiLSTM shared by
/// the turns, max-pooled over each turn's tokens into an utterance vector; a BiLSTM across the three utterance vectors
/// (the context); the context state at the third turn, a linear layer to the classes. Input (N, 3 L) token ids
/// (layout <see cref="TurnLayout.PerTurn"/>); output logits (N, 4).
/// </summary>
public sealed class BcLstm : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Embedding embedding;
    readonly LSTM utterance, context;
    readonly Dropout dropout;
    readonly Linear classifier;

    public BcLstm(DialogueModelSize size) : base(nameof(BcLstm))
    {
        embedding = nn.Embedding(size.Vocabulary, size.Embedding, padding_idx: 0);
        utterance = nn.LSTM(size.Embedding, size.Hidden, batchFirst: true, bidirectional: true);
        context = nn.LSTM(2 * size.Hidden, size.ContextHidden, batchFirst: true, bidirectional: true);
        dropout = nn.Dropout(size.Dropout);
        classifier = nn.Linear(2 * size.ContextHidden, size.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long n = ids.shape[0];
        var turns = Sequences.Turns(ids);
        var (states, _, _) = utterance.forward(dropout.forward(embedding.forward(turns)));
        var utterances = Sequences.MaxPool(states, Sequences.Mask(turns)).view(n, 3, -1);
        var (contextStates, _, _) = context.forward(dropout.forward(utterances));
        return classifier.forward(dropout.forward(contextStates.select(1, 2))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// bc-LSTM with attention: the shared turn BiLSTM's states pooled both by their maximum and by a learned additive
/// attention (a masked softmax over the turn's tokens), the context BiLSTM across the turns, and a two-layer head on
/// the context state at the third turn joined to the third turn's own vector. Same input and output as <see cref="BcLstm"/>.
/// </summary>
public sealed class AttentiveBcLstm : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Embedding embedding;
    readonly LSTM utterance, context;
    readonly Linear attention, score, hidden, classifier;
    readonly Dropout dropout;

    public AttentiveBcLstm(DialogueModelSize size) : base(nameof(AttentiveBcLstm))
    {
        int turn = 4 * size.Hidden;
        embedding = nn.Embedding(size.Vocabulary, size.Embedding, padding_idx: 0);
        utterance = nn.LSTM(size.Embedding, size.Hidden, batchFirst: true, bidirectional: true);
        attention = nn.Linear(2 * size.Hidden, size.Hidden);
        score = nn.Linear(size.Hidden, 1, hasBias: false);
        context = nn.LSTM(turn, size.ContextHidden, batchFirst: true, bidirectional: true);
        hidden = nn.Linear(2 * size.ContextHidden + turn, size.ContextHidden);
        classifier = nn.Linear(size.ContextHidden, size.Classes);
        dropout = nn.Dropout(size.Dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long n = ids.shape[0];
        var turns = Sequences.Turns(ids);
        var mask = Sequences.Mask(turns);
        var (states, _, _) = utterance.forward(dropout.forward(embedding.forward(turns)));
        var weights = score.forward(attention.forward(states).tanh()).squeeze(-1).masked_fill(mask.logical_not(), float.NegativeInfinity).softmax(1);
        var attended = weights.unsqueeze(1).bmm(states).squeeze(1);
        var utterances = cat([Sequences.MaxPool(states, mask), attended], 1).view(n, 3, -1);
        var (contextStates, _, _) = context.forward(dropout.forward(utterances));
        var joined = cat([contextStates.select(1, 2), utterances.select(1, 2)], 1);
        return classifier.forward(dropout.forward(nn.functional.relu(hidden.forward(dropout.forward(joined))))).MoveToOuterDisposeScope();
    }
}
