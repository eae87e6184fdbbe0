#!/usr/bin/python3
"""The example encoder as a PyTorch module, exported to ONNX.

examples/encoder/encoder.mlir.in written the way a PyTorch user writes it
(nn.Embedding, nn.Linear, nn.LayerNorm, F.gelu(approximate="tanh"), the
BERT-style additive mask (1 - mask) * -10000, torch.softmax, the head split
and merge with view/transpose/reshape on sizes taken from the input), with
the example's own weights: every one is read from the hex constants that
gen_weights wrote into the generated encoder.mlir (encoder_torch.py's
loader). nn.Linear stores [out, in]; the MLIR stores [in, out].

Same signature as @forward: input_ids and attention_mask, int64 [seq] ->
float32 [seq, 256], with "seq" a named dynamic axis.

  onnx_encoder_export.py --mlir build/examples/encoder/encoder.mlir \
      --out encoder.onnx [--opset 17] \
      [--reference DIR/NAME --lengths 1,31,32,33,512]

--reference writes PyTorch's outputs at the given lengths in the format of
test/Onnx/Inputs/compare_outputs.py (DIR/NAME.txt, DIR/NAME.<L>.in0.bin,
...): ids (i * 37 + 11) % 1000 as in examples/encoder/demo.cpp, and an
attention mask whose last quarter is padding (all ones below length 4).
Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import encoder_torch  # noqa: E402  (the weight loader)

D, HEADS, DH, FF, VOCAB, MAXPOS, LAYERS = 256, 4, 64, 1024, 1000, 1024, 2


def build_module(torch, weights):
    nn, F = torch.nn, torch.nn.functional

    def linear(w, b):
        layer = nn.Linear(w.shape[0], w.shape[1])
        layer.weight.data = torch.from_numpy(w.T.copy())
        layer.bias.data = torch.from_numpy(b.copy())
        return layer

    def norm(g, b):
        layer = nn.LayerNorm(D, eps=1e-5)
        layer.weight.data = torch.from_numpy(g.copy())
        layer.bias.data = torch.from_numpy(b.copy())
        return layer

    class Layer(nn.Module):
        def __init__(self, p):
            super().__init__()
            w = lambda n: weights[p + n]
            self.q, self.k = linear(w("wq"), w("bq")), linear(w("wk"), w("bk"))
            self.v, self.o = linear(w("wv"), w("bv")), linear(w("wo"), w("bo"))
            self.ln1 = norm(w("ln1_g"), w("ln1_b"))
            self.ff1, self.ff2 = linear(w("w1"), w("b1")), linear(w("w2"), w("b2"))
            self.ln2 = norm(w("ln2_g"), w("ln2_b"))

        def forward(self, x, bias):
            seq = x.size(0)
            q = self.q(x).view(seq, HEADS, DH).transpose(0, 1)  # [4, seq, 64]
            k = self.k(x).view(seq, HEADS, DH).transpose(0, 1)
            v = self.v(x).view(seq, HEADS, DH).transpose(0, 1)
            scores = torch.matmul(q, k.transpose(1, 2)) * (1.0 / DH ** 0.5)
            probs = torch.softmax(scores + bias, dim=-1)
            ctx = torch.matmul(probs, v).transpose(0, 1).reshape(seq, D)
            x = self.ln1(x + self.o(ctx))
            h = F.gelu(self.ff1(x), approximate="tanh")
            return self.ln2(x + self.ff2(h))

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(VOCAB, D)
            self.word.weight.data = torch.from_numpy(weights["word_emb"].copy())
            self.pos = nn.Embedding(MAXPOS, D)
            self.pos.weight.data = torch.from_numpy(weights["pos_emb"].copy())
            self.ln = norm(weights["emb_ln_g"], weights["emb_ln_b"])
            self.layers = nn.ModuleList([Layer("l%d_" % i) for i in range(LAYERS)])

        def forward(self, input_ids, attention_mask):
            positions = torch.arange(input_ids.size(0))
            x = self.ln(self.word(input_ids) + self.pos(positions))
            bias = (1.0 - attention_mask.to(torch.float32)) * -10000.0
            for layer in self.layers:
                x = layer(x, bias)
            return x

    return Encoder().eval()


def demo_inputs(torch, length):
    ids = torch.tensor([(i * 37 + 11) % VOCAB for i in range(length)], dtype=torch.int64)
    mask = torch.ones(length, dtype=torch.int64)
    if length >= 4:
        mask[length - length // 4:] = 0
    return ids, mask


def write_reference(torch, model, prefix, lengths):
    lines = []
    for length in lengths:
        ids, mask = demo_inputs(torch, length)
        with torch.no_grad():
            out = model(ids, mask)
        for i, t in enumerate((ids, mask)):
            with open("%s.%d.in%d.bin" % (prefix, length, i), "wb") as f:
                f.write(t.numpy().tobytes())
        with open("%s.%d.out0.bin" % (prefix, length), "wb") as f:
            f.write(out.contiguous().numpy().tobytes())
        lines.append("%d i64:%d i64:%d -> f32:%dx%d" % (length, length, length, length, D))
    with open(prefix + ".txt", "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mlir", required=True, help="the generated encoder.mlir (weights)")
    parser.add_argument("--template", default=encoder_torch.DEFAULT_TEMPLATE)
    parser.add_argument("--out", required=True, help="the ONNX file to write")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--reference", metavar="PREFIX")
    parser.add_argument("--lengths", default="1,31,32,33,512")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    model = build_module(torch, encoder_torch.load_weights(args.mlir, args.template))
    example = demo_inputs(torch, 8)
    torch.onnx.export(model, example, args.out, opset_version=args.opset,
                      input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "seq"},
                                    "attention_mask": {0: "seq"},
                                    "last_hidden_state": {0: "seq"}},
                      do_constant_folding=True)
    if args.reference:
        write_reference(torch, model, args.reference,
                        [int(l) for l in args.lengths.split(",") if l])
    return 0


if __name__ == "__main__":
    sys.exit(main())
