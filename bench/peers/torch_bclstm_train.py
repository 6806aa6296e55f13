#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench text-training`: bc-LSTM training throughput (dialogues/s).

The same model as Deepscope's BcLstm: Embedding(padding_idx=0) -> dropout -> a BiLSTM shared by the three turns ->
max over each turn's real tokens (turns cut to the batch's longest) -> dropout -> a BiLSTM across the turns -> the state at the third turn -> dropout ->
Linear(4). One step = zero_grad, forward, cross-entropy, backward, clip_grad_norm_(5), Adam(lr 2e-3) step, on the
same random dialogues (3 turns x 20 tokens, lengths 1 + geometric with mean 5.5, drawn with the same LCG).
Usage: torch_bclstm_train.py [--batch 128] [--steps 20] [--warmup 3] [--threads N] [--vocabulary 12000] [--embedding 100] [--hidden 64]
Prints one JSON line: {"framework": "pytorch ...", "sequences_per_second": ..., "step_seconds": {forward, backward, clip, optimizer}}.
"""
import argparse, json, math, time
import torch
import peer_timing
from torch import nn


class BcLstm(nn.Module):
    def __init__(self, vocabulary, embedding, hidden, context, dropout, classes=4):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding, padding_idx=0)
        self.utterance = nn.LSTM(embedding, hidden, batch_first=True, bidirectional=True)
        self.context = nn.LSTM(2 * hidden, context, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(2 * context, classes)

    def forward(self, ids):
        n = ids.shape[0]
        turns = ids.view(n * 3, -1)
        turns = turns[:, :max(1, int(turns.ne(0).sum(1).max()))]  # cut to the batch's longest turn, as Deepscope does
        mask = turns.ne(0)
        states, _ = self.utterance(self.dropout(self.embedding(turns)))
        utterances = states.masked_fill(mask.logical_not().unsqueeze(-1), float("-inf")).amax(1).view(n, 3, -1)
        context, _ = self.context(self.dropout(utterances))
        return self.classifier(self.dropout(context[:, 2]))


def dialogues(count, turn_tokens, vocabulary):
    state = 12345
    def uniform():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (state >> 11) * (1.0 / (1 << 53))
    ids = torch.zeros(count * 3 * turn_tokens, dtype=torch.int64)
    for t in range(count * 3):
        length = min(turn_tokens, 1 + math.floor(math.log(1 - uniform()) / math.log(1 - 1 / 5.5)))
        for j in range(length):
            ids[t * turn_tokens + j] = 2 if j == length - 1 else 3 + int(uniform() * (vocabulary - 3))
    return ids


def main():
    p = argparse.ArgumentParser()
    for name, default in (("batch", 128), ("steps", 20), ("warmup", 3), ("threads", 0), ("vocabulary", 12000), ("embedding", 100), ("hidden", 64)):
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = BcLstm(a.vocabulary, a.embedding, a.hidden, a.hidden, 0.3)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    batches, turn_tokens = 8, 20
    ids = dialogues(batches * a.batch, turn_tokens, a.vocabulary).view(batches * a.batch, 3 * turn_tokens)
    labels = torch.arange(batches * a.batch) % 4

    phases = [0.0] * 4  # seconds per phase of the timed steps, as the Deepscope benchmark splits them

    def step(s):
        t = time.perf_counter()
        def lap(phase):
            nonlocal t
            now = time.perf_counter()
            phases[phase] += now - t
            t = now
        x = ids.narrow(0, s % batches * a.batch, a.batch)
        y = labels.narrow(0, s % batches * a.batch, a.batch)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        lap(0)
        loss.backward()
        lap(1)
        nn.utils.clip_grad_norm_(model.parameters(), 5)
        lap(2)
        opt.step()
        lap(3)

    for i in range(a.warmup):
        step(i)
    phases[:] = [0.0] * 4
    start = time.perf_counter()
    for i in range(a.steps):
        step(i)
    rate = a.batch * a.steps / (time.perf_counter() - start)
    print(json.dumps({"framework": peer_timing.framework(), "model": "bc-lstm", "batch": a.batch, "steps": a.steps,
                      "threads": torch.get_num_threads(), "sequences_per_second": rate,
                      "step_seconds": dict(zip(("forward", "backward", "clip", "optimizer"), (p / a.steps for p in phases)))}))


if __name__ == "__main__":
    main()
