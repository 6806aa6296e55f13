#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench segmenter`: the glass study's U-Net training patches/s.

The same network as Deepscope's EncoderDecoder: an encoder giving four levels (resnet18: torchvision's conv1/bn1/relu,
then maxpool + layer1, layer2, layer3, strides 2-16; vgg16: its convolutions up to conv4_3 split at the max-pools,
strides 1-8), then from the deepest level up: bilinear 2x upsampling (align_corners False), concatenation with the
next finer level, a 3x3 convolution + batch norm + ReLU of clamp(channels / 2, 16, 128) channels; the finest result
upsampled to the input size, joined with a 16-channel 3x3 stem on the input, a 3x3 mixer of 16 and a 1x1 convolution to
the class logits. Input centred as (x - 0.5) / 0.25. One step: per-pixel cross-entropy, backward, Adam(2e-3); batch 8
of 128x128 grey channels-last patches, 6 classes.
Usage: torch_segmenter.py [--encoder resnet18|vgg16] [--batch 8] [--patch 128] [--classes 6] [--steps 10] [--warmup 2] [--threads N]
Prints one JSON line: {"framework": "pytorch ...", "images_per_second": ...}.
"""
import argparse, json
import torch
import torchvision
from torch import nn
import peer_timing
from peer_timing import items_per_second, parse_step_arguments


def conv_bn_relu(source, target, stride=1):
    return nn.Sequential(nn.Conv2d(source, target, 3, stride, 1, bias=False), nn.BatchNorm2d(target), nn.ReLU())


class ResNet18Encoder(nn.Module):
    channels = [64, 64, 128, 256]

    def __init__(self, in_channels):
        super().__init__()
        resnet = torchvision.models.resnet18()
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1, self.relu, self.maxpool = resnet.bn1, resnet.relu, resnet.maxpool
        self.layer1, self.layer2, self.layer3 = resnet.layer1, resnet.layer2, resnet.layer3

    def forward(self, x):
        f0 = self.relu(self.bn1(self.conv1(x)))
        f1 = self.layer1(self.maxpool(f0))
        f2 = self.layer2(f1)
        return [f0, f1, f2, self.layer3(f2)]


class Vgg16Encoder(nn.Module):
    channels = [64, 128, 256, 512]

    def __init__(self, in_channels):
        super().__init__()
        def block(source, target, count, pool):
            layers = [nn.MaxPool2d(2, 2)] if pool else []
            for i in range(count):
                layers += [nn.Conv2d(source if i == 0 else target, target, 3, padding=1), nn.ReLU()]
            return nn.Sequential(*layers)
        self.block1, self.block2 = block(in_channels, 64, 2, False), block(64, 128, 2, True)
        self.block3, self.block4 = block(128, 256, 3, True), block(256, 512, 3, True)

    def forward(self, x):
        f0 = self.block1(x)
        f1 = self.block2(f0)
        f2 = self.block3(f1)
        return [f0, f1, f2, self.block4(f2)]


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, classes, in_channels=1, stem_channels=16):
        super().__init__()
        self.encoder = encoder
        channels = encoder.channels
        widths = [min(max(c // 2, 16), 128) for c in channels]
        mixers, incoming = [], channels[-1]
        for level in range(len(channels) - 2, -1, -1):
            mixers.append(conv_bn_relu(incoming + channels[level], widths[level]))
            incoming = widths[level]
        self.mixers = nn.ModuleList(mixers)
        self.stem = conv_bn_relu(in_channels, stem_channels)
        self.head = nn.Sequential(conv_bn_relu(incoming + stem_channels, stem_channels), nn.Conv2d(stem_channels, classes, 1))

    def forward(self, image):
        x = (image - 0.5) / 0.25
        features = self.encoder(x)
        y = features[-1]
        for i, mixer in enumerate(self.mixers):
            skip = features[-(i + 2)]
            y = mixer(torch.cat([nn.functional.interpolate(y, size=skip.shape[2:], mode="bilinear", align_corners=False), skip], 1))
        up = y if y.shape[2:] == x.shape[2:] else nn.functional.interpolate(y, size=x.shape[2:], mode="bilinear", align_corners=False)
        return self.head(torch.cat([up, self.stem(x)], 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoder", default="resnet18")
    parser.add_argument("--patch", type=int, default=128)
    parser.add_argument("--classes", type=int, default=6)
    a = parse_step_arguments(parser, batch=8)
    encoder = {"resnet18": ResNet18Encoder, "vgg16": Vgg16Encoder}[a.encoder](1)
    model = EncoderDecoder(encoder, a.classes)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    images = torch.rand(a.batch, 1, a.patch, a.patch).contiguous(memory_format=torch.channels_last)
    masks = torch.randint(a.classes, (a.batch, a.patch, a.patch))

    def step():
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), masks).backward()
        optimizer.step()
    rate = items_per_second(step, a.warmup, a.steps, a.batch)
    print(json.dumps({"framework": peer_timing.framework(), "model": f"unet-{a.encoder}", "batch": a.batch,
                      "threads": torch.get_num_threads(), "parameters": sum(p.numel() for p in model.parameters()),
                      "images_per_second": rate}))


if __name__ == "__main__":
    main()
