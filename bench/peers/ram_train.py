#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench ram`: RAM training throughput (images/s), the same model and step.

Model (Mnih et al. 2014, as src/Deepscope/Models/Attention): a retina of S patches (P, 2P, 4P ... wide, each averaged
down to P x P) cut by one gather per scale; glimpse network h_g = 128, h_l = 128, output 256, ReLU; a ReLU RNN core
of 256; location network tanh(W h) reading h detached, Gaussian policy sigma 0.05; baseline reading h detached; the
first location is the policy's action from h_0 = 0. One step = zero_grad, forward, cross-entropy + REINFORCE with the
baseline + the baseline's MSE, backward, Adam step, on random images.
Usage: ram_train.py [--size 60] [--glimpses 6] [--patch 12] [--scales 3] [--batch 128] [--steps 20] [--warmup 3] [--threads N]
"""
import argparse, math, time
import torch
import peer_timing
from torch import nn
import torch.nn.functional as F


class Retina:
    def __init__(self, patch, scales):
        self.patch, self.scales = patch, scales

    def side(self, s):
        return self.patch * 2 ** s

    def sense(self, images, locations):
        n, c, h, w = images.shape
        centres = (locations.detach() + 1) / 2 * torch.tensor([h, w], dtype=torch.float32)
        out = []
        for s in range(self.scales):
            side = self.side(s)
            start = (centres - side / 2).floor().long()
            offsets = torch.arange(side)
            rows, cols = start[:, 0:1] + offsets, start[:, 1:2] + offsets
            inside = ((rows >= 0) & (rows < h)).view(n, 1, side, 1) & ((cols >= 0) & (cols < w)).view(n, 1, 1, side)
            band = images.gather(2, rows.clamp(0, h - 1).view(n, 1, side, 1).expand(n, c, side, w))
            patch = band.gather(3, cols.clamp(0, w - 1).view(n, 1, 1, side).expand(n, c, side, side)) * inside
            out.append(patch if side == self.patch else F.avg_pool2d(patch, side // self.patch))
        return torch.stack(out, 1)


class Ram(nn.Module):
    def __init__(self, glimpses, patch, scales, std=0.05, hg=128, hl=128, g=256, hidden=256, classes=10):
        super().__init__()
        self.retina, self.glimpses, self.std, self.hidden = Retina(patch, scales), glimpses, std, hidden
        self.what_hidden, self.where_hidden = nn.Linear(scales * patch * patch, hg), nn.Linear(2, hl)
        self.what, self.where = nn.Linear(hg, g), nn.Linear(hl, g)
        self.input_to_core, self.core_to_core = nn.Linear(g, hidden), nn.Linear(hidden, hidden)
        self.locator, self.baseline, self.classifier = nn.Linear(hidden, 2), nn.Linear(hidden, 1), nn.Linear(hidden, classes)

    def forward(self, x):
        n = x.shape[0]
        h = torch.zeros(n, self.hidden)
        log_pis, baselines = [], []
        for _ in range(self.glimpses):
            mean = torch.tanh(self.locator(h.detach()))
            sample = (mean.detach() + self.std * torch.randn(n, 2)).detach()
            log_pis.append((-(sample - mean) ** 2 / (2 * self.std ** 2) - math.log(self.std) - 0.5 * math.log(2 * math.pi)).sum(1))
            baselines.append(self.baseline(h.detach()).squeeze(1))
            location = sample.clamp(-1, 1)
            glimpse = self.retina.sense(x, location).flatten(1)
            features = F.relu(self.what(F.relu(self.what_hidden(glimpse))) + self.where(F.relu(self.where_hidden(location))))
            h = F.relu(self.input_to_core(features) + self.core_to_core(h))
        return self.classifier(h), torch.stack(log_pis, 1), torch.stack(baselines, 1)


def main():
    p = argparse.ArgumentParser()
    for name, default in [("--size", 60), ("--glimpses", 6), ("--patch", 12), ("--scales", 3), ("--batch", 128), ("--steps", 20), ("--warmup", 3), ("--threads", 0)]:
        p.add_argument(name, type=int, default=default)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Ram(a.glimpses, a.patch, a.scales).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(a.batch, 1, a.size, a.size), torch.randint(0, 10, (a.batch,))
    phases = [0.0, 0.0, 0.0]  # forward with the loss, backward, optimizer
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            start = time.perf_counter()
        optimizer.zero_grad()
        t0 = time.perf_counter()
        logits, log_pi, baseline = model(x)
        reward = (logits.argmax(1) == y).float().unsqueeze(1).expand_as(baseline)
        loss = F.cross_entropy(logits, y) - (log_pi * (reward - baseline.detach())).sum(1).mean() + F.mse_loss(baseline, reward)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        if i >= a.warmup:
            for k, d in enumerate((t1 - t0, t2 - t1, time.perf_counter() - t2)):
                phases[k] += d
    seconds = time.perf_counter() - start
    print(f"{peer_timing.framework()} ram {a.size}x{a.size} glimpses {a.glimpses} patch {a.patch} scales {a.scales} batch {a.batch} threads {torch.get_num_threads()}: {a.steps * a.batch / seconds:.0f} img/s; "
          f"per step forward {phases[0] / a.steps * 1e3:.1f} ms, backward {phases[1] / a.steps * 1e3:.1f} ms, optimizer {phases[2] / a.steps * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
