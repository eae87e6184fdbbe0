#!/usr/bin/python3
"""PyTorch eager peer of benchmarks/masks.sh's models, one thread.

  masks_torch.py cnn --mlir cnn.mlir --template benchmarks/masks_cnn.mlir.in --shapes 60x80,53x80
  masks_torch.py encoder --mlir pooled.mlir --shapes 64,200

cnn: benchmarks/masks_cnn.mlir.in (4 "same" 3x3 convs with bias, folded batch
norm and ReLU, a 3x3 stride-1 max-pool after the second, a global average
pool, a dense head), with the weights read by name from the generated module.
encoder: the example encoder (benchmarks/encoder_torch.py, op by op) with the
mean over the sequence that masks.sh appends.

Inputs are bucket-bench-masks': the image's f32 element e is
((e * 7919) % 2001) / 1000 - 1 (NHWC order); token ids and the attention mask
are all 1. Prints, per shape, 'shape S seconds T out V,V,...' (the best of 3
after a warm-up, and the output, which bucket-bench-masks compares).
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import encoder_torch  # noqa: E402  (sets one thread before torch loads)


def cnn_model(torch, w):
    F = torch.nn.functional
    t = {k: torch.from_numpy(v.copy()) for k, v in w.items()}
    # HWCF -> FCHW for conv2d.
    conv = [t["w%d" % i].permute(3, 2, 0, 1).contiguous() for i in range(1, 5)]

    def forward(x):  # x: [1, H, W, 3]
        y = x.permute(0, 3, 1, 2)
        for i in range(4):
            n = str(i + 1)
            y = F.conv2d(y, conv[i], padding=1)
            y = (y + t["b" + n].view(1, -1, 1, 1)) * t["s" + n].view(1, -1, 1, 1)
            y = torch.relu(y + t["t" + n].view(1, -1, 1, 1))
            if i == 1:
                y = F.max_pool2d(y, 3, stride=1, padding=1)
        pooled = y.sum(dim=(2, 3)) / float(y.shape[2] * y.shape[3])
        return torch.addmm(t["bd"], pooled, t["wd"])

    def inputs(shape):
        h, w = shape
        e = torch.arange(h * w * 3, dtype=torch.int64)
        x = ((e * 7919) % 2001).to(torch.float32) / 1000.0 - 1.0
        return (x.view(1, h, w, 3),)

    return forward, inputs


def encoder_model(torch, w):
    model = encoder_torch.Encoder(torch, w, "exact")

    def forward(ids, mask):
        x = model.forward(ids, mask)
        return x.sum(dim=0) / float(x.shape[0])

    def inputs(shape):
        ones = torch.ones(shape[0], dtype=torch.int64)
        return ones, ones

    return forward, inputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=("cnn", "encoder"))
    parser.add_argument("--mlir", required=True, help="the generated module")
    parser.add_argument("--template", help="its gen_weights template")
    parser.add_argument("--shapes", required=True, help="e.g. 60x80,53x80")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    template = args.template or encoder_torch.DEFAULT_TEMPLATE
    encoder_torch.preload_blas("openblas-openmp")
    import torch

    torch.set_num_threads(1)
    print("# blas: %s, threads: %d" % (encoder_torch.blas_description(torch),
                                       torch.get_num_threads()))
    weights = encoder_torch.load_weights(args.mlir, template)
    make = cnn_model if args.model == "cnn" else encoder_model
    forward, inputs = make(torch, weights)
    with torch.no_grad():
        for text in args.shapes.split(","):
            shape = tuple(int(s) for s in text.split("x"))
            x = inputs(shape)
            out = forward(*x)
            best = float("inf")
            for _ in range(args.repeats):
                start = time.perf_counter()
                forward(*x)
                best = min(best, time.perf_counter() - start)
            values = ",".join("%.9g" % v for v in out.reshape(-1).tolist())
            print("shape %s seconds %.9f out %s" % (text, best, values))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
