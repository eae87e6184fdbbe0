#!/usr/bin/python3
"""PyTorch eager peer of the example decoder (examples/decoder).

The model of examples/decoder/gen_decoder.py (GPT-style, pre-LayerNorm,
learned positions, tanh-GELU MLP, separate LM head) with exactly the
weights of the build: every weight is read, by its SSA name, from the hex
dense attributes that bucket-gen-weights wrote into the generated
decoder.mlir. The cache is PyTorch's usual one: per layer a (key, value)
pair of [heads, length, head_dim] tensors that grows by torch.cat at every
step (Hugging Face's `past_key_values`).

Inputs are those of benchmarks/decoder.cpp: prompt ids[i] = (i * 37 + P) %
vocab, then greedy generation (argmax of the logits).

  # correctness: the logits of the prefill and of every decode step, raw f32
  decoder_torch.py --mlir decoder.mlir --dump out.bin --prompt 100 --new-tokens 8
  # timing, one thread: whole generations, best of --reps after a warm-up
  decoder_torch.py --mlir decoder.mlir --bench --prompts 100,200 --new-tokens 64

Bench output: '# ...' comments, then per prompt length
'prompt P seconds S decode_seconds D' (the best generation's total and
decode-only seconds).
"""

import argparse
import os
import re
import sys
import time

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from encoder_torch import blas_description, preload_blas  # noqa: E402

_HEX = re.compile(r'%(\w+)\s*=\s*arith\.constant\s+dense<"0x([0-9A-Fa-f]+)">'
                  r'\s*:\s*tensor<([0-9x]+)xf32>')


def load_weights(path, np):
    """{ssa name: array} for the first definition of every weight."""
    weights = {}
    with open(path) as f:
        for m in _HEX.finditer(f.read()):
            name = m.group(1)
            if name not in weights:
                shape = tuple(int(d) for d in m.group(3).split("x"))
                raw = bytes.fromhex(m.group(2))
                weights[name] = np.frombuffer(raw, "<f4").reshape(shape).copy()
    if "wte" not in weights:
        sys.exit("decoder_torch: no weights in %s" % path)
    return weights


class Decoder:
    def __init__(self, torch, w):
        self.torch = torch
        self.w = {k: torch.from_numpy(v) for k, v in w.items()}
        self.layers = sum(1 for k in w if k.endswith("_wq"))
        self.vocab, self.d = w["wte"].shape
        self.capacity = w["wpe"].shape[0]
        self.heads = 4
        self.dh = self.d // self.heads
        self.scale = torch.tensor(1.0 / self.dh ** 0.5, dtype=torch.float32)

    # The MLIR's op order: sums / d, rsqrt(var + eps), scale then shift.
    def layer_norm(self, x, g, b):
        mean = x.sum(dim=1, keepdim=True) / self.d
        c = x - mean
        var = (c * c).sum(dim=1, keepdim=True) / self.d
        return c * self.torch.rsqrt(var + 1e-5) * g + b

    def gelu(self, x):
        th = self.torch.tanh(0.7978845608 * (x + 0.044715 * (x * x * x)))
        return (0.5 * x) * (1.0 + th)

    def heads_of(self, x):  # [n, d] -> [heads, n, dh]
        return x.view(x.shape[0], self.heads, self.dh).transpose(0, 1)

    def block(self, x, p, past, causal):
        """One layer over the rows of x; returns x and the grown (k, v)."""
        torch, w = self.torch, self.w
        h = self.layer_norm(x, w[p + "ln1_g"], w[p + "ln1_b"])
        q = self.heads_of(torch.addmm(w[p + "bq"], h, w[p + "wq"]))
        k = self.heads_of(torch.addmm(w[p + "bk"], h, w[p + "wk"]))
        v = self.heads_of(torch.addmm(w[p + "bv"], h, w[p + "wv"]))
        if past is not None:
            k = torch.cat([past[0], k], dim=1)
            v = torch.cat([past[1], v], dim=1)
        s = torch.bmm(q * self.scale, k.transpose(1, 2))
        if causal is not None:
            s = s.masked_fill(causal, float("-inf"))
        ex = torch.exp(s - s.amax(dim=-1, keepdim=True))
        ctx = torch.bmm(ex, v) / ex.sum(dim=-1, keepdim=True)
        ctx = ctx.transpose(0, 1).reshape(x.shape[0], self.d)
        x = x + torch.addmm(w[p + "bo"], ctx, w[p + "wo"])
        h2 = self.layer_norm(x, w[p + "ln2_g"], w[p + "ln2_b"])
        f = self.gelu(torch.addmm(w[p + "b1"], h2, w[p + "w1"]))
        return x + torch.addmm(w[p + "b2"], f, w[p + "w2"]), (k, v)

    def forward(self, ids, start, past):
        """Logits of the last row and the new cache, for ids at positions
        start, start + 1, ...; past is None for the prompt."""
        torch, w = self.torch, self.w
        n = ids.shape[0]
        pos = torch.arange(start, start + n).clamp(max=self.capacity - 1)
        x = w["wte"][ids.clamp(0, self.vocab - 1)] + w["wpe"][pos]
        causal = None
        if past is None and n > 1:
            causal = torch.ones(n, n, dtype=torch.bool).triu(1)
        cache = []
        for l in range(self.layers):
            x, kv = self.block(x, "l%d_" % l, None if past is None else past[l],
                               causal)
            cache.append(kv)
        xf = self.layer_norm(x[n - 1:], w["lnf_g"], w["lnf_b"])
        return torch.mm(xf, w["wlm"])[0], cache

    def generate(self, prompt, new_tokens, logits_out=None):
        torch = self.torch
        ids = torch.tensor([(i * 37 + prompt) % self.vocab for i in range(prompt)])
        t0 = time.perf_counter()
        logits, cache = self.forward(ids, 0, None)
        t1 = time.perf_counter()
        if logits_out is not None:
            logits_out.append(logits.clone())
        for step in range(new_tokens):
            token = torch.argmax(logits).reshape(1)
            logits, cache = self.forward(token, prompt + step, cache)
            if logits_out is not None:
                logits_out.append(logits.clone())
        return time.perf_counter() - t0, time.perf_counter() - t1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mlir", required=True)
    ap.add_argument("--dump")
    ap.add_argument("--prompt", type=int, default=100)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--prompts", default="")
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--blas", choices=["openblas-openmp", "system"],
                    default="openblas-openmp")
    a = ap.parse_args()
    preload_blas(a.blas)
    import numpy as np
    import torch
    torch.set_num_threads(1)
    print("# " + blas_description(torch))
    model = Decoder(torch, load_weights(a.mlir, np))
    with torch.no_grad():
        if a.dump:
            out = []
            model.generate(a.prompt, a.new_tokens, out)
            torch.stack(out).numpy().astype("<f4").tofile(a.dump)
        if a.bench:
            for p in [int(x) for x in a.prompts.split(",") if x]:
                model.generate(p, 2)  # warm-up
                runs = [model.generate(p, a.new_tokens) for _ in range(a.reps)]
                best = min(runs)
                print("prompt %d seconds %.6f decode_seconds %.6f" % (p, *best))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
