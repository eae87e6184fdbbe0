# Exports small PyTorch models to ONNX with named dynamic dimensions, and
# writes PyTorch's outputs at the given shapes as reference data, for
# pytorch-models.test. Run with Debian's /usr/bin/python3 (python3-torch,
# python3-onnx). Random weights with a fixed seed; nothing is downloaded.
#
#   export_models.py OUTDIR MODEL OPSET SHAPES
#
# MODEL is mlp, bert, encoder (nn.TransformerEncoder), gpt (a GPT-2-style
# causal decoder), resnet (ResNet-18's structure) or mobilenet
# (torchvision's MobileNetV2); SHAPES is ';'-separated tuples: 'batch'
# (mlp), 'batch,seq' (bert, gpt), 'seq,batch' (encoder: sequence first, as
# nn.MultiheadAttention wants), 'batch,height,width' (resnet, mobilenet). Writes OUTDIR/MODEL-OPSET.onnx and, per shape,
# OUTDIR/MODEL-OPSET.<shape>.{in0,in1,...,out0}.bin (raw little-endian data)
# and a manifest OUTDIR/MODEL-OPSET.txt: one line per shape
#   <tag> <in0 dtype>:<dims x-separated> ... -> <out dtype>:<dims>
import math
import os
import sys

import torch
import torch.nn as nn
import torchvision


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


class Gpt(nn.Module):
    """A GPT-2-style decoder written the way nanoGPT writes it: learned
    positions from arange(seq), one fused QKV projection split in three, a
    causal mask (torch.tril at opset 14 and later, exported as Trilu; a
    comparison of positions before, exported as Range and GreaterOrEqual),
    masked_fill with -inf, tanh GELU and pre-norm layers."""

    def __init__(self, tril, vocab=100, hidden=32, heads=4, layers=2, max_pos=64):
        super().__init__()
        self.tril, self.heads, self.head_dim = tril, heads, hidden // heads
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        def stack(make):
            return nn.ModuleList([make() for _ in range(layers)])
        self.qkv = stack(lambda: nn.Linear(hidden, 3 * hidden))
        self.o = stack(lambda: nn.Linear(hidden, hidden))
        self.ln1 = stack(lambda: nn.LayerNorm(hidden))
        self.ln2 = stack(lambda: nn.LayerNorm(hidden))
        self.ff1 = stack(lambda: nn.Linear(hidden, 4 * hidden))
        self.ff2 = stack(lambda: nn.Linear(4 * hidden, hidden))
        self.lnf = nn.LayerNorm(hidden)

    def heads_of(self, x, b, t):
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, ids):
        b, t = ids.size()
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.tok(ids) + self.pos(pos.unsqueeze(0))
        if self.tril:
            mask = torch.tril(torch.ones(t, t))
        else:
            mask = (pos.view(t, 1) >= pos.view(1, t)).float()
        mask = mask.view(1, 1, t, t)
        for i in range(len(self.qkv)):
            h = self.ln1[i](x)
            q, k, v = self.qkv[i](h).split(h.size(-1), dim=2)
            q, k, v = self.heads_of(q, b, t), self.heads_of(k, b, t), self.heads_of(v, b, t)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
            att = torch.softmax(att.masked_fill(mask == 0, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(b, t, -1)
            x = x + self.o[i](y)
            h = nn.functional.gelu(self.ff1[i](self.ln2[i](x)), approximate="tanh")
            x = x + self.ff2[i](h)
        return self.lnf(x)


def resnet18_narrow(classes=10):
    """ResNet-18's structure (torchvision's BasicBlock, [2, 2, 2, 2] blocks,
    the 7x7/2 stem, 3x3/2 max pooling, global average pooling) at an eighth
    of its widths (8-64 channels instead of 64-512): the same graph as
    torchvision.models.resnet18, with 0.7 MB of weights instead of 45."""
    from torchvision.models.resnet import BasicBlock, ResNet
    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=classes)
    model.inplanes = 8
    model.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(8)
    model.layer1 = model._make_layer(BasicBlock, 8, 2)
    model.layer2 = model._make_layer(BasicBlock, 16, 2, stride=2)
    model.layer3 = model._make_layer(BasicBlock, 32, 2, stride=2)
    model.layer4 = model._make_layer(BasicBlock, 64, 2, stride=2)
    model.fc = nn.Linear(64, classes)
    return model


def randomize_batchnorm(model):
    """Random running statistics, so that the folded BatchNorms are not the
    identity."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


def make_model(kind, opset):
    """The model, an example input, input names and dynamic axes."""
    if kind == "mlp":
        return (MLP(), (torch.randn(2, 16),), ["x"],
                {"x": {0: "batch"}, "y": {0: "batch"}})
    if kind == "bert":
        return (Bert(), (torch.randint(0, 100, (2, 8)), torch.ones(2, 8, dtype=torch.int64)),
                ["input_ids", "attention_mask"],
                {"input_ids": {0: "batch", 1: "seq"},
                 "attention_mask": {0: "batch", 1: "seq"},
                 "y": {0: "batch", 1: "seq"}})
    if kind == "gpt":
        return (Gpt(tril=opset >= 14), (torch.randint(0, 100, (2, 8)),), ["input_ids"],
                {"input_ids": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})
    if kind == "encoder":
        layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0)
        return (nn.TransformerEncoder(layer, 2), (torch.randn(8, 2, 32),), ["x"],
                {"x": {0: "seq", 1: "batch"}, "y": {0: "seq", 1: "batch"}})
    if kind == "resnet":
        model = resnet18_narrow()
    else:
        model = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.25)
    randomize_batchnorm(model)
    return (model, (torch.randn(1, 3, 32, 32),), ["x"],
            {"x": {0: "batch", 2: "height", 3: "width"}, "y": {0: "batch"}})


def make_inputs(kind, dims):
    if kind == "mlp":
        return [torch.randn(dims[0], 16)]
    if kind == "encoder":
        return [torch.randn(dims[0], dims[1], 32)]
    if kind == "gpt":
        return [torch.randint(0, 100, tuple(dims))]
    if kind in ("resnet", "mobilenet"):
        return [torch.randn(dims[0], 3, dims[1], dims[2])]
    b, s = dims
    ids = torch.randint(0, 100, (b, s))
    # Padding tokens at the end of every other sentence.
    mask = torch.ones(b, s, dtype=torch.int64)
    for i in range(1, b, 2):
        mask[i, s - s // 4:] = 0
    return [ids, mask]


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
    model, example, names, dyn = make_model(kind, opset)
    model.eval()
    torch.onnx.export(model, example, os.path.join(outdir, name + ".onnx"),
                      input_names=names, output_names=["y"], dynamic_axes=dyn,
                      opset_version=opset, do_constant_folding=True)
    lines = []
    for shape in shapes.split(";"):
        dims = [int(d) for d in shape.split(",")]
        tag = "x".join(str(d) for d in dims)
        ins = make_inputs(kind, dims)
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
