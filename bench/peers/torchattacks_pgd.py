#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench pgd`: torchattacks' PGD (L-inf, random start) against the Madry MNIST CNN.

The CNN of Madry et al.'s MNIST challenge (conv 5x5 32, pool, conv 5x5 64, pool, fc 1024, fc 10) with the MNIST
normalisation inside the model, seeded random weights, in eval mode; COUNT seeded uniform images 1x28x28 in [0, 1]
with seeded labels, attacked in batches of BATCH by torchattacks.PGD(eps, alpha, steps, random_start=True); one
warm-up batch, then the timed pass. torchattacks is not part of Debian: put a checkout on PYTHONPATH.
Usage: PYTHONPATH=/path/to/adversarial-attacks-pytorch torchattacks_pgd.py [--count 512] [--batch 128] [--steps 10]
       [--eps 0.3] [--alpha 0.03] [--threads 1]
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchattacks


class MadryMnist(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.fc1 = nn.Linear(64 * 7 * 7, 1024)
        self.fc2 = nn.Linear(1024, 10)

    def forward(self, x):
        x = (x - 0.1307) / 0.3081
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=512)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--eps", type=float, default=0.3)
    p.add_argument("--alpha", type=float, default=0.03)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = MadryMnist().eval()
    images = torch.rand(a.count, 1, 28, 28)
    labels = torch.randint(0, 10, (a.count,))
    attack = torchattacks.PGD(model, eps=a.eps, alpha=a.alpha, steps=a.steps, random_start=True)
    attack(images[: a.batch], labels[: a.batch])  # warm-up
    start = time.perf_counter()
    robust = 0
    for i in range(0, a.count, a.batch):
        adv = attack(images[i : i + a.batch], labels[i : i + a.batch])
        with torch.no_grad():
            robust += (model(adv).argmax(1) == labels[i : i + a.batch]).sum().item()
    seconds = time.perf_counter() - start
    print(json.dumps({"peer": "torchattacks", "version": torchattacks.__version__, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "count": a.count, "batch": a.batch, "steps": a.steps, "seconds": seconds, "examples_per_second": a.count / seconds,
                      "robust_accuracy": robust / a.count}))


if __name__ == "__main__":
    main()
