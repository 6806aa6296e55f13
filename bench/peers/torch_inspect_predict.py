#!/usr/bin/python3
"""PyTorch peer of `Deepscope.Bench inspection`: inference as `deepscope inspect predict` does it.

PNG files read (torchvision.io.read_image), resized (bilinear, antialiased) to SIZE, grey replicated to RGB,
normalised with ImageNet statistics, a torchvision ResNet-18 with a two-class head in eval mode under no_grad, the
softmax averaged over the image and its horizontal and vertical flips (TTA), the features entering the head kept
(forward hook), batches of 64; one warm-up batch, then the timed pass over the files.
Usage: torch_inspect_predict.py FOLDER [--size 224] [--limit 256] [--tta 1] [--threads 2]
"""
import argparse, os, time
import torch, torchvision
import torch.nn.functional as F
from torchvision.io import read_image, ImageReadMode


def main():
    p = argparse.ArgumentParser()
    p.add_argument("folder")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--limit", type=int, default=256)
    p.add_argument("--tta", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    files = sorted(os.path.join(a.folder, f) for f in os.listdir(a.folder) if f.lower().endswith(".png"))[: a.limit]
    model = torchvision.models.resnet18(num_classes=2).eval()
    caught = {}
    model.fc.register_forward_pre_hook(lambda m, inp: caught.__setitem__("f", inp[0]))
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    def load(path):
        x = read_image(path, ImageReadMode.GRAY).float().div_(255).unsqueeze(0)
        return F.interpolate(x, size=(a.size, a.size), mode="bilinear", align_corners=False, antialias=True)[0]

    def score(paths):
        probabilities, features = [], []
        with torch.no_grad():
            for start in range(0, len(paths), 64):
                x = torch.stack([load(f) for f in paths[start:start + 64]]).expand(-1, 3, -1, -1)
                x = ((x - mean) / std).contiguous()
                q = model(x).softmax(1)
                features.append(caught["f"].flatten(1))
                if a.tta:
                    q = (q + model(x.flip(3)).softmax(1) + model(x.flip(2)).softmax(1)) / 3
                probabilities.append(q[:, 0])
        return torch.cat(probabilities), torch.cat(features)

    score(files[:64])
    start = time.perf_counter()
    probabilities, _ = score(files)
    rate = len(files) / (time.perf_counter() - start)
    print(f"pytorch-{torch.__version__} inspection {a.size}px tta={a.tta} threads={a.threads}: {len(files)} images, "
          f"{rate:.2f} images/s (mean p {probabilities.mean().item():.4f})")


if __name__ == "__main__":
    main()
