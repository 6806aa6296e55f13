#!/usr/bin/python3
"""PyTorch peer of `deepscope bench infer`: inference throughput (images/s) of a model as a PyTorch user runs it.

Models are those of torch_train_throughput.py (resnet18, resnet18_cifar, lenet, inception-small, alexnet-small,
mlp-1x512: the same definitions as Deepscope's), plus resnet18-cntk (torchvision's ResNet with [2, 2, 2, 3] blocks
and no classifier, the bundled ImageNet ResNet-18). eval(), torch.no_grad(), random images in [0, 1); NCHW unless
--channels-last. Usage: torch_infer_throughput.py MODEL [--image-size S] [--batch 32] [--steps 4] [--warmup 1]
[--threads N] [--channels-last]. Prints one JSON line: {"framework": "pytorch ...", "images_per_second": ...}.
"""
import argparse, json, time
import torch, torchvision
import peer_timing
from torch import nn
from torch_train_throughput import build


def model_and_shape(name, size):
    if name == "resnet18-cntk":
        model = torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3])
        model.fc = nn.Identity()
        return model, (3, size or 224, size or 224)
    model, shape = build(name)
    return model, (shape[0], size or shape[1], size or shape[2])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--image-size", type=int, default=None)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, shape = model_and_shape(a.model, a.image_size)
    model.eval()
    x = torch.rand(a.batch, *shape)
    if a.channels_last:
        model, x = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
        start = time.perf_counter()
        for _ in range(a.steps):
            model(x)
        seconds = time.perf_counter() - start
    print(json.dumps({"framework": peer_timing.framework(), "model": a.model, "input_shape": list(shape), "batch": a.batch,
                      "steps": a.steps, "threads": torch.get_num_threads(), "channels_last": a.channels_last,
                      "images_per_second": a.batch * a.steps / seconds}))


if __name__ == "__main__":
    main()
