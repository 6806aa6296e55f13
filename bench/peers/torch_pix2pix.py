#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench pix2pix`: pix2pix training patches/s.

The same networks as Deepscope's UNetGenerator and PatchDiscriminator: a U-Net of LEVELS 4x4 stride-2 convolutions down
(LeakyReLU 0.2 and batch norm after the first, widths 64, 128, 256, 512, ...) and as many 4x4 stride-2 transposed
convolutions up (ReLU, batch norm but on the last), each decoder output added to the encoder feature of its size; the
PatchGAN: 4x4 convolutions of 64, 128, 256 (stride 2) and 512, 1 (stride 1), LeakyReLU 0.2, batch norm but on the first
and last. One step: the discriminator on real and generated pairs (BCE on logits, real 1, fake 0), then the generator
(BCE fooling loss + 100 L1); Adam(2e-4, betas (0.5, 0.999)) each; batch 16 of 64x64 channels-last patches.
Usage: torch_pix2pix.py [--batch 16] [--patch 64] [--levels 4] [--steps 10] [--warmup 2] [--threads N]
Prints one JSON line: {"framework": "pytorch ...", "images_per_second": ...}.
"""
import argparse, json
import torch
from torch import nn
import peer_timing
from peer_timing import items_per_second, parse_step_arguments


class UNetGenerator(nn.Module):
    def __init__(self, levels=4, width=64, channels=1):
        super().__init__()
        widths = [width * (1 << min(i, 3)) for i in range(levels)]
        self.down = nn.ModuleList()
        for i in range(levels):
            source = channels if i == 0 else widths[i - 1]
            self.down.append(nn.Sequential(nn.Conv2d(source, widths[i], 4, 2, 1)) if i == 0 else
                             nn.Sequential(nn.LeakyReLU(0.2), nn.Conv2d(source, widths[i], 4, 2, 1, bias=False), nn.BatchNorm2d(widths[i])))
        self.up = nn.ModuleList()
        for i in reversed(range(levels)):
            target = channels if i == 0 else widths[i - 1]
            self.up.append(nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(widths[i], target, 4, 2, 1)) if i == 0 else
                           nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(widths[i], target, 4, 2, 1, bias=False), nn.BatchNorm2d(target)))
        self.levels = levels

    def forward(self, x):
        features = []
        for layer in self.down:
            x = layer(x)
            features.append(x)
        for i, layer in enumerate(self.up):
            x = layer(x)
            skip = self.levels - 2 - i
            if skip >= 0:
                x = x + features[skip]
        return x


class PatchDiscriminator(nn.Module):
    def __init__(self, channels=2, width=64, strided=3):
        super().__init__()
        layers, current = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)], width
        for i in range(1, strided + 1):
            following = width * (1 << min(i, 3))
            layers += [nn.Conv2d(current, following, 4, 2 if i < strided else 1, 1, bias=False), nn.BatchNorm2d(following), nn.LeakyReLU(0.2)]
            current = following
        self.layers = nn.Sequential(*layers)
        self.last = nn.Conv2d(current, 1, 4, 1, 1)

    def forward(self, pair):
        return self.last(self.layers(pair))


def bce(logits, label):
    return nn.functional.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--patch", type=int, default=64)
    parser.add_argument("--levels", type=int, default=4)
    a = parse_step_arguments(parser, batch=16)
    generator, discriminator = UNetGenerator(a.levels), PatchDiscriminator()
    generator.train(), discriminator.train()
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    clean = torch.rand(a.batch, 1, a.patch, a.patch).contiguous(memory_format=torch.channels_last)
    noisy = (clean + 0.3 * torch.randn(a.batch, 1, a.patch, a.patch)).contiguous(memory_format=torch.channels_last)

    def step():
        fake = generator(noisy)
        optimizer_d.zero_grad()
        (bce(discriminator(torch.cat([noisy, clean], 1)), 1.0) + bce(discriminator(torch.cat([noisy, fake.detach()], 1)), 0.0)).backward()
        optimizer_d.step()
        optimizer_g.zero_grad()
        (bce(discriminator(torch.cat([noisy, fake], 1)), 1.0) + 100 * nn.functional.l1_loss(fake, clean)).backward()
        optimizer_g.step()
    rate = items_per_second(step, a.warmup, a.steps, a.batch)
    print(json.dumps({"framework": peer_timing.framework(), "model": f"pix2pix-unet{a.levels}", "batch": a.batch,
                      "threads": torch.get_num_threads(), "images_per_second": rate}))


if __name__ == "__main__":
    main()
