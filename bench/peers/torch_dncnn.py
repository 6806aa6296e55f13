#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench dncnn`: DnCNN training patches/s and inference images/s.

The same model as Deepscope's DnCnn: 17 3x3 convolutions of 64 channels, padding 1, ReLU, batch norm on the middle 15
(their convolutions without bias), residual output (input minus the estimated noise). Training: 40x40 patches, batch 16,
zero_grad, forward, MSE against the clean patch, backward, Adam(1e-3) step, channels-last input. Inference: eval mode,
no_grad, one 256x256 image at a time.
Usage: torch_dncnn.py [--mode train|infer] [--batch 16] [--patch 40] [--size 256] [--steps 10] [--warmup 2] [--threads N]
Prints one JSON line: {"framework": "pytorch ...", "images_per_second": ...}.
"""
import argparse, json
import torch
from torch import nn
import peer_timing
from peer_timing import items_per_second, parse_step_arguments


class DnCnn(nn.Module):
    def __init__(self, depth=17, width=64):
        super().__init__()
        layers = [nn.Conv2d(1, width, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        self.layers = nn.Sequential(*layers)
        self.last = nn.Conv2d(width, 1, 3, padding=1, bias=False)

    def forward(self, x):
        return x - self.last(self.layers(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="train")
    parser.add_argument("--patch", type=int, default=40)
    parser.add_argument("--size", type=int, default=256)
    a = parse_step_arguments(parser, batch=16)
    model = DnCnn()
    if a.mode == "train":
        model.train()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        clean = torch.rand(a.batch, 1, a.patch, a.patch)
        noisy = (clean + 0.1 * torch.randn(a.batch, 1, a.patch, a.patch)).contiguous(memory_format=torch.channels_last)

        def step():
            optimizer.zero_grad()
            nn.functional.mse_loss(model(noisy), clean).backward()
            optimizer.step()
        per_step = a.batch
    else:
        model.eval()
        image = torch.rand(1, 1, a.size, a.size)

        def step():
            with torch.no_grad():
                model(image)
        per_step = 1
    rate = items_per_second(step, a.warmup, a.steps, per_step)
    print(json.dumps({"framework": peer_timing.framework(), "model": "dncnn-17x64", "mode": a.mode,
                      "threads": torch.get_num_threads(), "images_per_second": rate}))


if __name__ == "__main__":
    main()
