"""Exports a randomly initialised torchvision classifier to ONNX with a reference input and output, for the import tests.

usage: export_torchvision.py ARCH SIZE OUT_DIR
writes OUT_DIR/model.onnx (torch.onnx.export in eval mode: batch norms folded into the convolutions), input.npy
(2, 3, SIZE, SIZE) in [0, 1] and output.npy, the model's logits for it. Batch-norm statistics are randomised so that
a wrong folding shows.
"""
import sys
import numpy as np
import torch
import torchvision

arch, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
torch.manual_seed(14)
model = getattr(torchvision.models, arch)(num_classes=10)
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
model.eval()
x = torch.rand(2, 3, size, size)
with torch.no_grad():
    y = model(x)
torch.onnx.export(model, x, f"{out}/model.onnx", opset_version=13, do_constant_folding=True,
                  input_names=["image"], output_names=["logits"])
np.save(f"{out}/input.npy", x.numpy())
np.save(f"{out}/output.npy", y.numpy())
