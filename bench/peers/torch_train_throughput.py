#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench training`: training throughput (images/s) of ResNet-18 on 32x32 batches.

Variants, compared like with like:
  resnet18        torchvision's resnet18 (7x7 stride-2 stem + max-pool) fed 32x32 images
  resnet18_cifar  the CIFAR ResNet-18: the same network with a 3x3 stride-1 stem and no max-pool
  lenet           Deepscope's LeNet-style CNN on 1x28x28 (conv5x5(32)-BN-pool, conv5x5(64)-BN-pool, fc256, fc10)
  madry-mnist     the CNN of Madry et al.'s MNIST challenge on 1x28x28 (conv5x5(32)-pool, conv5x5(64)-pool, fc1024, fc10)
  inception-small, alexnet-small, mlp-1x512
                  Zhang et al. (2017)'s networks on 3x28x28 crops, defined as Deepscope's Models/GeneralizationNets.cs
                  (1,649,402 / 1,387,786 / 1,209,866 parameters, checked at start)
  dcf-lenet, dcf-resnet18 [--dcf-k K]
                  lenet and resnet18_cifar with every 3x3/5x5 convolution replaced, as Deepscope's DcfConversion does,
                  by the public reference's DCF convolution: Conv_DCF of ZeWang95/DCFNet-Pytorch (K fixed Fourier-Bessel
                  bases, its default route: rebuild the kernel, one convolution). That repository is not part of
                  Deepscope: fetch it yourself and point DCFNET_PYTORCH at its folder.
One step = zero_grad, forward, cross-entropy, backward, SGD(momentum 0.9, weight decay 5e-4) step, on random data.
Usage: torch_train_throughput.py MODEL [--batch 128] [--steps 10] [--warmup 2] [--threads N]
Prints one JSON line: {"framework": "pytorch", "model": ..., "images_per_second": ...}.
"""
import argparse, json, os, sys, time
import torch, torchvision
import peer_timing
from torch import nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.25), nn.Linear(256, 10))


class ConvModule(nn.Module):
    """Conv, batch norm with a learned shift only (TF's scale=False), ReLU; without batch norm the conv has a bias."""
    def __init__(self, cin, cout, k, stride=1, bn=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2 if stride == 1 else 0, bias=not bn)
        self.bn = nn.BatchNorm2d(cout, affine=False) if bn else None
        self.shift = nn.Parameter(torch.zeros(cout)) if bn else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x) + self.shift.view(1, -1, 1, 1)
        return torch.relu(x)


class Inception(nn.Module):
    def __init__(self, cin, c1, c3, bn=True):
        super().__init__()
        self.b1, self.b3 = ConvModule(cin, c1, 1, bn=bn), ConvModule(cin, c3, 3, bn=bn)

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x)], 1)


class Downsample(nn.Module):
    def __init__(self, cin, c, bn=True):
        super().__init__()
        self.conv = ConvModule(cin, c, 3, stride=2, bn=bn)

    def forward(self, x):
        return torch.cat([self.conv(x), nn.functional.max_pool2d(x, 3, 2)], 1)


def inception_small(bn=True):
    return nn.Sequential(
        ConvModule(3, 96, 3, bn=bn), Inception(96, 32, 32, bn), Inception(64, 32, 48, bn), Downsample(80, 80, bn),
        Inception(160, 112, 48, bn), Inception(160, 96, 64, bn), Inception(160, 80, 80, bn), Inception(160, 48, 96, bn),
        Downsample(144, 96, bn), Inception(240, 176, 160, bn), Inception(336, 176, 160, bn),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(336, 10))


def alexnet_small():
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)  # TF SAME padding
    lrn = lambda: nn.LocalResponseNorm(9, alpha=0.001, beta=0.75, k=1.0)
    return nn.Sequential(
        nn.Conv2d(3, 64, 5, padding=2), nn.ReLU(), pool(), lrn(),
        nn.Conv2d(64, 64, 5, padding=2), nn.ReLU(), lrn(), pool(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 384), nn.ReLU(), nn.Linear(384, 192), nn.ReLU(), nn.Linear(192, 10))


def madry_mnist():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 1024), nn.ReLU(), nn.Linear(1024, 10))


def mlp_1x512():
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 28 * 28, 512), nn.ReLU(), nn.Linear(512, 10))


PAPER = {"inception-small": (inception_small, 1649402), "alexnet-small": (alexnet_small, 1387786), "mlp-1x512": (mlp_1x512, 1209866)}


def to_dcf(model, k):
    """Every square 3x3/5x5 convolution becomes DCFNet-Pytorch's Conv_DCF with the same geometry and bias."""
    repo = os.environ.get("DCFNET_PYTORCH")
    if not repo or not os.path.isfile(os.path.join(repo, "DCF.py")):
        raise SystemExit("set DCFNET_PYTORCH to a checkout of github.com/ZeWang95/DCFNet-Pytorch")
    sys.path.insert(0, repo)
    import fb, DCF
    fb.path_to_bessel = os.path.join(repo, "bessel.npy")  # its config.py names the author's own path
    for parent in list(model.modules()):
        for name, conv in list(parent.named_children()):
            if isinstance(conv, nn.Conv2d) and conv.kernel_size[0] == conv.kernel_size[1] in (3, 5):
                setattr(parent, name, DCF.Conv_DCF(conv.in_channels, conv.out_channels, conv.kernel_size[0],
                                                   stride=conv.stride[0], padding=conv.padding[0], num_bases=k,
                                                   bias=conv.bias is not None))
    return model


def build(name, dcf_k=3):
    if name.startswith("dcf-"):
        model, shape = build(name[4:].replace("resnet18", "resnet18_cifar"))
        return to_dcf(model, dcf_k), shape
    if name == "lenet":
        return lenet(), (1, 28, 28)
    if name == "madry-mnist":
        return madry_mnist(), (1, 28, 28)
    if name in PAPER:
        make, count = PAPER[name]
        model = make()
        assert sum(p.numel() for p in model.parameters()) == count, name
        return model, (3, 28, 28)
    model = torchvision.models.resnet18(num_classes=10)
    if name == "resnet18_cifar":
        model.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
        model.maxpool = nn.Identity()
    elif name != "resnet18":
        raise SystemExit(f"unknown model {name}")
    return model, (3, 32, 32)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--dcf-k", type=int, default=3, help="Fourier-Bessel bases per DCF convolution")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, shape = build(a.model, a.dcf_k)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, *shape)
    y = torch.randint(0, 10, (a.batch,))
    phases = [0.0, 0.0, 0.0]  # seconds per phase (zero_grad + forward + loss, backward, optimiser step)

    def step(timed):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if timed:
            for i, d in enumerate((t1 - t0, t2 - t1, t3 - t2)):
                phases[i] += d
    for _ in range(a.warmup):
        step(False)
    start = time.perf_counter()
    for _ in range(a.steps):
        step(True)
    seconds = time.perf_counter() - start
    print(json.dumps({"framework": peer_timing.framework(), "model": a.model, "batch": a.batch, "steps": a.steps,
                      "threads": torch.get_num_threads(), "input_shape": list(shape), "images_per_second": a.batch * a.steps / seconds,
                      "forward_seconds": phases[0] / a.steps, "backward_seconds": phases[1] / a.steps,
                      "step_seconds": phases[2] / a.steps}))


if __name__ == "__main__":
    main()
