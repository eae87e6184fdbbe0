# Exports small PyTorch models to ONNX with named dynamic dimensions, and
# writes PyTorch's outputs at the given shapes as reference data, for
# pytorch-models.test. Run with Debian's /usr/bin/python3 (python3-torch,
# python3-onnx). Random weights with a fixed seed; nothing is downloaded.
#
#   export_models.py OUTDIR MODEL OPSET SHAPES
#
# MODEL is mlp or bert; SHAPES is ';'-separated 'batch,seq' (bert) or
# 'batch' (mlp) tuples. Writes OUTDIR/MODEL-OPSET.onnx and, per shape,
# OUTDIR/MODEL-OPSET.<shape>.{in0,in1,...,out0}.bin (raw little-endian data)
# and a manifest OUTDIR/MODEL-OPSET.txt: one line per shape
#   <tag> <in0 dtype>:<dims x-separated> ... -> <out dtype>:<dims>
import math
import os
import sys

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.fc2 = nn.Linear(32, 8)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Layer(nn.Module):
    """A BERT layer written the way HuggingFace writes it: the head split
    and merge reshape with sizes computed from x.size(), the additive mask
    (1 - mask) * -10000, erf GELU and LayerNorm."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden)
        self.ff1 = nn.Linear(hidden, 4 * hidden)
        self.ff2 = nn.Linear(4 * hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)

    def split(self, x):
        b, s = x.size(0), x.size(1)
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask_add):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores + mask_add, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(ctx.size(0), ctx.size(1), -1)
        x = self.ln1(x + self.o(ctx))
        h = self.ff1(x)
        h = h * 0.5 * (1.0 + torch.erf(h / math.sqrt(2.0)))
        return self.ln2(x + self.ff2(h))


class Bert(nn.Module):
    def __init__(self, vocab=100, hidden=32, heads=4, layers=2, max_pos=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0))
        self.ln = nn.LayerNorm(hidden)
        self.layers = nn.ModuleList([Layer(hidden, heads) for _ in range(layers)])

    def forward(self, input_ids, attention_mask):
        seq = input_ids.size(1)
        pos = self.position_ids[:, :seq]
        x = self.ln(self.tok(input_ids) + self.pos(pos))
        mask = attention_mask[:, None, None, :].to(torch.float32)
        mask_add = (1.0 - mask) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_add)
        return x


def write(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().numpy().tobytes())


def describe(t):
    dtype = {torch.float32: "f32", torch.int64: "i64"}[t.dtype]
    return dtype + ":" + "x".join(str(d) for d in t.shape)


def main():
    outdir, kind, opset, shapes = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    torch.manual_seed(0)
    name = "%s-%d" % (kind, opset)
    if kind == "mlp":
        model = MLP().eval()
        example = (torch.randn(2, 16),)
        names, dyn = ["x"], {"x": {0: "batch"}, "y": {0: "batch"}}
    else:
        model = Bert().eval()
        example = (torch.randint(0, 100, (2, 8)), torch.ones(2, 8, dtype=torch.int64))
        names = ["input_ids", "attention_mask"]
        dyn = {"input_ids": {0: "batch", 1: "seq"},
               "attention_mask": {0: "batch", 1: "seq"},
               "y": {0: "batch", 1: "seq"}}
    torch.onnx.export(model, example, os.path.join(outdir, name + ".onnx"),
                      input_names=names, output_names=["y"], dynamic_axes=dyn,
                      opset_version=opset, do_constant_folding=True)
    lines = []
    for shape in shapes.split(";"):
        dims = [int(d) for d in shape.split(",")]
        tag = "x".join(str(d) for d in dims)
        if kind == "mlp":
            ins = [torch.randn(dims[0], 16)]
        else:
            b, s = dims
            ids = torch.randint(0, 100, (b, s))
            # Padding tokens at the end of every other sentence.
            mask = torch.ones(b, s, dtype=torch.int64)
            for i in range(1, b, 2):
                mask[i, s - s // 4:] = 0
            ins = [ids, mask]
        with torch.no_grad():
            out = model(*ins)
        for i, t in enumerate(ins):
            write(os.path.join(outdir, "%s.%s.in%d.bin" % (name, tag, i)), t)
        write(os.path.join(outdir, "%s.%s.out0.bin" % (name, tag)), out)
        lines.append("%s %s -> %s" % (tag, " ".join(describe(t) for t in ins), describe(out)))
    with open(os.path.join(outdir, name + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
