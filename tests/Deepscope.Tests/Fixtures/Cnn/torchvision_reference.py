"""Torchvision reference activations for Deepscope's CNN feature tests (run with Debian's python3-torchvision).

  fixtures OUT_DIR
      Writes OUT_DIR/<model>.npz: torchvision activations, keyed "<input>/<resize or 0>/<crop or 0>/<layer>", of every model for inputs and weights given by a
      closed-form integer hash (see formula_values), so C# rebuilds the same weights without committing them.
  names OUT_DIR
      Writes OUT_DIR/module_names.json: torchvision's named_modules() of every model (root excluded), in order.
  checkpoints OUT_DIR
      Writes small checkpoints of a Conv2d(3,4,3)+BatchNorm2d(4) Sequential for the loader tests: tiny_plain.pth,
      tiny_wrapped.pth (a training checkpoint with "module." keys), tiny_no_counter.pth (no num_batches_tracked),
      tiny_wrong_shape.pth (5 output channels), tiny_legacy.pth (pre-1.6 format), tiny_tensor.pth (a bare tensor), and
      tiny.safetensors (written by hand from the format's spec: python3-safetensors is not packaged in Debian).
      Every value is arange(numel) / 8 + 1, so the tests know them.
  pth MODEL OUT.pth INPUT.npy OUT_PREFIX [--resize N] [--wrap] [--layers a,b,...]
      Saves a torchvision MODEL with seeded random weights (and random BatchNorm statistics) as OUT.pth, optionally
      wrapped as {"state_dict": {"module." + key: ...}, "epoch": 3}, and writes OUT_PREFIX.<layer>.npy: the
      activations for INPUT.npy (N,3,H,W or N,H,W, values in [0,1]) after the ImageNet preprocessing.
"""
import json
import math
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
CHUNK = 1 << 23


def key_seed(key):
    s = 0
    for c in key:
        s = (s * 131 + ord(c)) % 2**32
    return s


def formula_values(n, seed):
    """n numbers in [0, 1): an integer hash of (index, seed) divided by 2^32, exact in any IEEE/int64 runtime."""
    out = torch.empty(n, dtype=torch.float64)
    for start in range(0, n, CHUNK):
        i = torch.arange(start, min(n, start + CHUNK), dtype=torch.int64)
        x = (i * 2654435761 + seed) % 2**32
        x = torch.bitwise_xor(x, torch.div(x, 2**15, rounding_mode="floor"))
        x = (x * 1540483477) % 2**32
        x = torch.bitwise_xor(x, torch.div(x, 2**13, rounding_mode="floor"))
        out[start:start + len(i)] = x.double() / 2**32
    return out


def formula_tensor(key, shape):
    """The weight named key: He-scaled uniform for conv/linear weights, near-identity BatchNorm, small biases."""
    n = math.prod(shape)
    u = formula_values(n, key_seed(key))
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "weight" and len(shape) >= 2:
        v = (u - 0.5) * math.sqrt(24.0 / math.prod(shape[1:]))
    elif leaf in ("running_var",) or (leaf == "weight" and len(shape) == 1):
        v = u + 0.5
    else:  # biases, running means
        v = (u - 0.5) * 0.2
    return v.float().reshape(shape)


def formula_input(key, shape):
    return formula_values(math.prod(shape), key_seed(key)).float().reshape(shape)


def preprocess(x, resize=None, crop=None):
    if x.dim() == 3:
        x = x.unsqueeze(1)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    if resize:
        x = TF.resize(x, resize, interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    if crop:
        x = TF.center_crop(x, crop)
    return TF.normalize(x, MEAN, STD)


def activations(model, x, layers):
    """Forward hooks on the named modules; a module run twice (a ResNet block's relu) keeps its last output."""
    modules = dict(model.named_modules())
    captured, handles = {}, []
    for name in layers:
        handles.append(modules[name].register_forward_hook(
            lambda m, i, o, name=name: captured.__setitem__(name, o.detach().flatten(1).clone())))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return {name: captured[name].numpy() for name in layers}


# (model, input key, input shape, resize, centre crop, layers): the committed fixtures.
CASES = [
    ("resnet18", "rgb32", (2, 3, 32, 32), (None, None), ["layer1.0.relu", "layer2", "layer3.1.bn2", "layer4", "avgpool", "fc"]),
    ("resnet18", "gray20", (2, 20, 20), (32, None), ["avgpool"]),  # grayscale, upsampled
    ("resnet18", "gray48", (2, 1, 48, 48), (32, None), ["avgpool"]),  # antialiased downsampling
    ("resnet18", "rgb45x70", (2, 3, 45, 70), (40, 35), ["avgpool"]),  # shorter side resized, centre crop (offsets 2.5, 13.5)
    ("vgg16", "rgb32", (2, 3, 32, 32), (None, None), ["features.16", "features.29", "classifier.4", "classifier.6"]),
    ("resnet34", "rgb32", (2, 3, 32, 32), (None, None), ["avgpool", "fc"]),
    ("resnet50", "rgb32", (2, 3, 32, 32), (None, None), ["layer4.2.conv3", "avgpool", "fc"]),
    ("vgg11", "rgb32", (2, 3, 32, 32), (None, None), ["classifier.6"]),
    ("vgg11_bn", "rgb32", (2, 3, 32, 32), (None, None), ["classifier.6"]),
    ("vgg13", "rgb32", (2, 3, 32, 32), (None, None), ["classifier.6"]),
    ("vgg13_bn", "rgb32", (2, 3, 32, 32), (None, None), ["classifier.6"]),
    ("vgg16_bn", "rgb32", (2, 3, 32, 32), (None, None), ["features.42", "classifier.6"]),
    ("vgg19", "rgb32", (2, 3, 32, 32), (None, None), ["features.35", "classifier.6"]),
    ("vgg19_bn", "rgb32", (2, 3, 32, 32), (None, None), ["classifier.6"]),
    ("alexnet", "rgb64", (2, 3, 64, 64), (None, None), ["features.12", "classifier.6"]),
]


def fixtures(out_dir):
    torch.set_num_threads(1)
    by_model = {}
    for model_name, input_key, shape, (resize, crop), layers in CASES:
        model = getattr(torchvision.models, model_name)(weights=None).eval()
        with torch.no_grad():
            for key, t in model.state_dict().items():
                if not key.endswith("num_batches_tracked"):
                    t.copy_(formula_tensor(key, tuple(t.shape)))
        x = preprocess(formula_input(input_key, shape), resize, crop)
        for name, a in activations(model, x, layers).items():
            assert np.isfinite(a).all() and a.std() > 0, (model_name, name)
            by_model.setdefault(model_name, {})[f"{input_key}/{resize or 0}/{crop or 0}/{name}"] = a
    for model_name, arrays in by_model.items():
        np.savez(f"{out_dir}/{model_name}.npz", **arrays)


def names(out_dir):
    table = {name: [n for n, _ in getattr(torchvision.models, name)(weights=None).named_modules() if n]
             for name in ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
                          "vgg19", "vgg19_bn", "alexnet"]}
    with open(f"{out_dir}/module_names.json", "w") as f:
        json.dump(table, f, separators=(",", ":"))


def tiny_state(channels=4):
    model = torch.nn.Sequential(torch.nn.Conv2d(3, channels, 3), torch.nn.BatchNorm2d(channels))
    state = model.state_dict()
    with torch.no_grad():
        for key, t in state.items():
            if not key.endswith("num_batches_tracked"):
                t.copy_(torch.arange(t.numel(), dtype=torch.float32).reshape(t.shape) / 8 + 1)
    state["1.num_batches_tracked"].fill_(11)
    return state


def checkpoints(out_dir):
    state = tiny_state()
    torch.save(state, f"{out_dir}/tiny_plain.pth")
    torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in state.items()}, "optimizer": {"lr": 0.1}},
               f"{out_dir}/tiny_wrapped.pth")
    torch.save({k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}, f"{out_dir}/tiny_no_counter.pth")
    torch.save(tiny_state(5), f"{out_dir}/tiny_wrong_shape.pth")
    torch.save(state, f"{out_dir}/tiny_legacy.pth", _use_new_zipfile_serialization=False)
    torch.save(state["0.weight"], f"{out_dir}/tiny_tensor.pth")
    write_safetensors(f"{out_dir}/tiny.safetensors", state)


def write_safetensors(path, state):
    """An 8-byte little-endian header length, a JSON header of dtype/shape/offsets, then the raw little-endian data."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key, t in state.items():
        data = t.contiguous().numpy().tobytes()
        header[key] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for b in blobs:
            f.write(b)


def pth(model_name, out_pth, input_npy, out_prefix, resize=None, wrap=False, layers=()):
    torch.manual_seed(7)
    model = getattr(torchvision.models, model_name)(weights=None).eval()
    with torch.no_grad():  # random running statistics, so eval-mode BatchNorm is tested for real
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    state = model.state_dict()
    if wrap:
        state = {"state_dict": {"module." + k: v for k, v in state.items()}, "epoch": 3}
    torch.save(state, out_pth)
    x = preprocess(torch.from_numpy(np.load(input_npy)), resize)
    for name, a in activations(model, x, layers).items():
        np.save(f"{out_prefix}.{name}.npy", a)


if __name__ == "__main__":
    if sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    elif sys.argv[1] == "names":
        names(sys.argv[2])
    elif sys.argv[1] == "checkpoints":
        checkpoints(sys.argv[2])
    elif sys.argv[1] == "pth":
        args = sys.argv[2:]
        opts = {"resize": None, "wrap": False, "layers": []}
        pos = []
        i = 0
        while i < len(args):
            if args[i] == "--resize":
                opts["resize"] = int(args[i + 1]); i += 2
            elif args[i] == "--layers":
                opts["layers"] = args[i + 1].split(","); i += 2
            elif args[i] == "--wrap":
                opts["wrap"] = True; i += 1
            else:
                pos.append(args[i]); i += 1
        pth(*pos, **opts)
    else:
        raise SystemExit(__doc__)
