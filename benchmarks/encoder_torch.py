#!/usr/bin/python3
"""PyTorch eager peer baseline of the example encoder (examples/encoder).

The model is the @forward function of examples/encoder/encoder.mlir.in
(2-layer BERT-style post-LayerNorm encoder, d_model 256, 4 heads of 64,
FFN 1024 with tanh-GELU), with exactly the weights of the build: every weight
is read, by its SSA name, from the hex dense attribute that gen_weights wrote
into build/examples/encoder/encoder.mlir. By default (--impl exact) the
computation follows the MLIR op by op (LayerNorm as sum / 256 and
sum((x - mean)^2) / 256, scores = (q . k) * 0.125 + bias, softmax as
exp(s - max) / sum, GELU term by term, matmuls accumulating into the
broadcast bias); only the summation order of reductions and matmuls differs.
--impl native uses torch's fused layer_norm / softmax / gelu instead (same
maths, different rounding), as a stronger eager baseline.

Inputs are those of examples/encoder/demo.cpp: for length L,
ids[i] = (i * 37 + 11) % 1000 and an all-ones mask (int64).

Run it with Debian's Python (/usr/bin/python3, python3-torch):

  # correctness: write the f32 [L, 256] output raw (little-endian) and/or
  # compare it with a raw reference file
  encoder_torch.py --check out.bin --length 64
  encoder_torch.py --length 64 --check-against ref.bin

  # timing, one thread, best of 3 after 1 warm-up per distinct length
  encoder_torch.py --bench --lengths-csv examples/encoder/data/wnut17_sentence_tokens.csv --clamp 512
  encoder_torch.py --bench --lengths 32,128,512

Bench output: '# ...' comment lines, then one line per distinct (clamped)
length 'length L count C seconds S' and a final line
'torch_weighted_seconds X' (sum of count * seconds).

Threads: one thread is mandatory; OMP/MKL/OpenBLAS thread counts are forced
to 1 in the environment before torch is imported, and torch.set_num_threads(1).

BLAS: Debian's torch is built against the generic libblas.so.3 (BLAS_INFO=
generic), resolved through update-alternatives. Unless --blas system is given,
the OpenMP build of OpenBLAS (libopenblas0-openmp) is loaded before torch so
that torch binds to it (same OpenMP runtime as torch) whatever the
alternatives say. The BLAS actually mapped into the process is printed in a
'# blas: ...' comment line.
"""

import argparse
import ctypes
import os
import re
import sys
import time

# One thread, set before numpy / torch are imported.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MLIR = os.path.join(REPO, "build", "examples", "encoder", "encoder.mlir")
DEFAULT_TEMPLATE = os.path.join(REPO, "examples", "encoder", "encoder.mlir.in")
OPENBLAS_OPENMP_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp"

D, HEADS, DH, FF, VOCAB, MAXPOS, LAYERS = 256, 4, 64, 1024, 1000, 1024, 2


def preload_blas(choice):
    """Make torch bind libblas.so.3 / liblapack.so.3 to OpenBLAS (OpenMP).

    torch's libtorch_cpu needs the sonames libblas.so.3 and liblapack.so.3;
    once a library with that soname is loaded, the dynamic loader reuses it.
    """
    if choice == "system":
        return
    for lib in ("libblas.so.3", "liblapack.so.3"):
        path = os.path.join(OPENBLAS_OPENMP_DIR, lib)
        if not os.path.exists(path):
            sys.exit("encoder_torch: %s not found (install libopenblas0-openmp, "
                     "or pass --blas system)" % path)
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def blas_description(torch):
    """Which BLAS torch was built for and which one is mapped in this process."""
    config = torch.__config__.show()
    info = re.search(r"BLAS_INFO=([^,\s]+)", config)
    mapped = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and re.search(r"blas|lapack|mkl|blis",
                                              os.path.basename(fields[5]), re.I):
                mapped.add(os.path.realpath(fields[5]))
    return "torch %s BLAS_INFO=%s; mapped: %s" % (
        torch.__version__, info.group(1) if info else "?",
        ", ".join(sorted(mapped)) or "none")


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------
_PLACEHOLDER = re.compile(
    r'%(\w+)\s*=\s*arith\.constant\s+dense<"@WEIGHT:[^"]*@">\s*:\s*tensor<([0-9x]+)xf32>')
_HEX = re.compile(
    r'%(\w+)\s*=\s*arith\.constant\s+dense<"0x([0-9A-Fa-f]+)">\s*:\s*tensor<([0-9x]+)xf32>')


def _shape(text):
    return tuple(int(d) for d in text.split("x"))


def load_weights(mlir_path, template_path):
    """Returns {ssa_name: float32 numpy array} for every weight of the template."""
    import numpy as np

    with open(template_path) as f:
        expected = {name: _shape(shape) for name, shape in _PLACEHOLDER.findall(f.read())}
    if not expected:
        sys.exit("encoder_torch: no weight placeholders in %s" % template_path)
    with open(mlir_path) as f:
        text = f.read()
    weights = {}
    for m in _HEX.finditer(text):
        name, hexdata, shape = m.group(1), m.group(2), _shape(m.group(3))
        if name not in expected:
            continue
        if name in weights:
            sys.exit("encoder_torch: weight %%%s defined twice in %s" % (name, mlir_path))
        if shape != expected[name]:
            sys.exit("encoder_torch: %%%s has shape %s in %s but %s in the template"
                     % (name, shape, mlir_path, expected[name]))
        raw = bytes.fromhex(hexdata)
        count = 1
        for d in shape:
            count *= d
        if len(raw) != 4 * count:
            sys.exit("encoder_torch: %%%s: %d bytes of data for tensor<%sxf32> (%d expected)"
                     % (name, len(raw), "x".join(map(str, shape)), 4 * count))
        weights[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
    missing = sorted(set(expected) - set(weights))
    if missing:
        sys.exit("encoder_torch: weights missing from %s: %s" % (mlir_path, ", ".join(missing)))
    return weights


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------
class Encoder:
    def __init__(self, torch, weights, impl):
        self.torch = torch
        self.impl = impl
        self.w = {k: torch.from_numpy(v.copy()).contiguous() for k, v in weights.items()}
        f32 = lambda v: torch.tensor(v, dtype=torch.float32)  # 0-d f32 constants
        self.c_d_model = f32(256.0)
        self.c_eps = f32(1.0e-5)
        self.c_inv_sqrt_dh = f32(0.125)
        self.c_mask_value = f32(-10000.0)
        self.c_one = f32(1.0)
        self.c_half = f32(0.5)
        self.c_gelu_c = f32(0.7978845608)
        self.c_gelu_a = f32(0.044715)

    # LayerNorm as in the MLIR: sum, mean = sum / 256, sqsum of (x - mean)^2,
    # var = sqsum / 256, y = (x - mean) * rsqrt(var + eps) * gamma + beta.
    def layer_norm(self, x, g, b):
        torch = self.torch
        if self.impl == "native":
            return torch.nn.functional.layer_norm(x, (D,), g, b, 1.0e-5)
        mean = x.sum(dim=1, keepdim=True) / self.c_d_model
        c = x - mean
        var = (c * c).sum(dim=1, keepdim=True) / self.c_d_model
        rstd = torch.rsqrt(var + self.c_eps)
        return c * rstd * g + b

    def gelu(self, x):
        torch = self.torch
        if self.impl == "native":
            return torch.nn.functional.gelu(x, approximate="tanh")
        xxx = x * x * x
        inner = x + self.c_gelu_a * xxx
        th = torch.tanh(self.c_gelu_c * inner)
        return (self.c_half * x) * (self.c_one + th)

    def softmax(self, s):
        torch = self.torch
        if self.impl == "native":
            return torch.softmax(s, dim=-1)
        ex = torch.exp(s - s.amax(dim=-1, keepdim=True))
        return ex / ex.sum(dim=-1, keepdim=True)

    def layer(self, x, bias, p):
        torch, w = self.torch, self.w
        seq = x.shape[0]
        # Projections: x . W accumulated into the broadcast bias.
        q = torch.addmm(w[p + "bq"], x, w[p + "wq"])
        k = torch.addmm(w[p + "bk"], x, w[p + "wk"])
        v = torch.addmm(w[p + "bv"], x, w[p + "wv"])
        qh = q.view(seq, HEADS, DH).transpose(0, 1)      # [4, seq, 64]
        kt = k.view(seq, HEADS, DH).permute(1, 2, 0)     # [4, 64, seq]
        vh = v.view(seq, HEADS, DH).transpose(0, 1)      # [4, seq, 64]
        qk = torch.bmm(qh, kt)                           # [4, seq(q), seq(k)]
        scores = qk * self.c_inv_sqrt_dh + bias          # bias over the key axis
        probs = self.softmax(scores)
        ctx = torch.bmm(probs, vh).transpose(0, 1).reshape(seq, D)
        attn = torch.addmm(w[p + "bo"], ctx, w[p + "wo"])
        h = self.layer_norm(x + attn, w[p + "ln1_g"], w[p + "ln1_b"])
        ff1 = torch.addmm(w[p + "b1"], h, w[p + "w1"])
        ffn = torch.addmm(w[p + "b2"], self.gelu(ff1), w[p + "w2"])
        return self.layer_norm(h + ffn, w[p + "ln2_g"], w[p + "ln2_b"])

    def forward(self, input_ids, attention_mask):
        """input_ids, attention_mask: int64 [seq] -> float32 [seq, 256]."""
        torch, w = self.torch, self.w
        seq = input_ids.shape[0]
        rows = input_ids.clamp(0, VOCAB - 1)
        pos = torch.arange(seq).clamp(max=MAXPOS - 1)
        emb = w["word_emb"].index_select(0, rows) + w["pos_emb"].index_select(0, pos)
        x = self.layer_norm(emb, w["emb_ln_g"], w["emb_ln_b"])
        bias = (self.c_one - attention_mask.to(torch.float32)) * self.c_mask_value
        for layer in range(LAYERS):
            x = self.layer(x, bias, "l%d_" % layer)
        return x


def demo_inputs(torch, length):
    ids = torch.tensor([(i * 37 + 11) % 1000 for i in range(length)], dtype=torch.int64)
    mask = torch.ones(length, dtype=torch.int64)
    return ids, mask


# ---------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------
def read_histogram(path, clamp):
    """CSV 'length,count' with a header line -> {clamped length: count}."""
    lengths = {}
    with open(path) as f:
        next(f, None)  # header
        for line in f:
            fields = line.strip().split(",")
            if len(fields) < 2 or not fields[0].strip():
                continue
            length, count = int(fields[0]), int(fields[1])
            if clamp:
                length = min(length, clamp)
            if length < 1:
                continue
            lengths[length] = lengths.get(length, 0) + count
    return lengths


def time_length(torch, model, length, repeats):
    ids, mask = demo_inputs(torch, length)
    model.forward(ids, mask)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.forward(ids, mask)
        best = min(best, time.perf_counter() - start)
    return best


def pick_sample(lengths, n):
    """n lengths spread evenly over the sorted distinct lengths (ends included)."""
    if n >= len(lengths):
        return list(lengths)
    if n < 2:
        n = 2
    return sorted({lengths[round(i * (len(lengths) - 1) / (n - 1))] for i in range(n)})


def bench(torch, model, args):
    if args.lengths_csv:
        lengths = read_histogram(args.lengths_csv, args.clamp)
        source = args.lengths_csv
    else:
        lengths = {}
        for item in args.lengths.split(","):
            if item.strip():
                length = int(item)
                if args.clamp:
                    length = min(length, args.clamp)
                lengths[length] = lengths.get(length, 0) + 1
        source = "--lengths " + args.lengths
    if not lengths:
        sys.exit("encoder_torch: no lengths")
    distinct = sorted(lengths)
    timed = pick_sample(distinct, args.sample) if args.sample else distinct
    print("# lengths: %s: %d samples, %d distinct lengths (clamped to %s)"
          % (source, sum(lengths.values()), len(distinct), args.clamp or "none"))
    print("# timing: best of %d after 1 warm-up, torch.no_grad, 1 thread, impl %s"
          % (args.repeats, args.impl))
    if len(timed) != len(distinct):
        print("# --sample %d: timed %d of %d distinct lengths; rows ending in "
              "'interpolated' are linear interpolations" % (args.sample, len(timed), len(distinct)))
    sys.stdout.flush()
    measured = {length: time_length(torch, model, length, args.repeats) for length in timed}

    def estimate(length):
        if length in measured:
            return measured[length]
        hi = next(t for t in timed if t > length)
        lo = [t for t in timed if t < length][-1]
        return measured[lo] + (measured[hi] - measured[lo]) * (length - lo) / (hi - lo)

    total = 0.0
    for length in distinct:
        seconds = estimate(length)
        total += lengths[length] * seconds
        print("length %d count %d seconds %.6f%s" % (
            length, lengths[length], seconds, "" if length in measured else " interpolated"))
    print("torch_weighted_seconds %.6f" % total)


def check(torch, model, args):
    import numpy as np

    ids, mask = demo_inputs(torch, args.length)
    out = model.forward(ids, mask).contiguous().numpy().astype("<f4")
    assert out.shape == (args.length, D)
    if args.check:
        out.tofile(args.check)
        print("# wrote %s: f32 [%d, %d] little-endian" % (args.check, args.length, D))
    if args.check_against:
        ref = np.fromfile(args.check_against, dtype="<f4")
        if ref.size != out.size:
            sys.exit("encoder_torch: %s holds %d floats, expected %d ([%d, %d])"
                     % (args.check_against, ref.size, out.size, args.length, D))
        ref = ref.reshape(out.shape).astype(np.float64)
        diff = np.abs(out.astype(np.float64) - ref)
        max_abs = float(diff.max())
        max_rel = float((diff / np.maximum(np.abs(ref), 1e-6)).max())
        print("length %d max_abs_diff %.3e max_rel_diff %.3e max_abs_ref %.3e"
              % (args.length, max_abs, max_rel, float(np.abs(ref).max())))
        if not np.isfinite(out).all() or not max_abs <= args.atol:
            print("# FAIL: max abs diff above --atol %g" % args.atol)
            return 1
    return 0


def main():
    parser = argparse.ArgumentParser(
        description="PyTorch eager peer baseline of examples/encoder (see module docstring).")
    mode = parser.add_argument_group("check mode")
    mode.add_argument("--check", metavar="OUT.bin",
                      help="write the f32 [L,256] output (raw, little-endian)")
    mode.add_argument("--check-against", metavar="REF.bin",
                      help="compare the output with a raw f32 [L,256] file")
    mode.add_argument("--length", type=int, help="sequence length L for --check")
    mode.add_argument("--atol", type=float, default=1e-4,
                      help="--check-against fails (exit 1) above this max abs diff")
    bench_group = parser.add_argument_group("bench mode")
    bench_group.add_argument("--bench", action="store_true")
    bench_group.add_argument("--lengths-csv", metavar="FILE", help="histogram CSV length,count")
    bench_group.add_argument("--lengths", help="comma-separated lengths (count 1 each)")
    bench_group.add_argument("--clamp", type=int, default=512,
                             help="clamp lengths to this value (0: no clamp; default 512)")
    bench_group.add_argument("--sample", type=int, default=0, metavar="N",
                             help="time only N distinct lengths, interpolate the others")
    bench_group.add_argument("--repeats", type=int, default=3, help="timed runs (best of)")
    parser.add_argument("--impl", choices=("exact", "native"), default="exact",
                        help="exact: MLIR op order (default); native: torch fused ops")
    parser.add_argument("--blas", choices=("openblas-openmp", "system"), default="openblas-openmp",
                        help="BLAS to bind torch to (default: load OpenBLAS/OpenMP first)")
    parser.add_argument("--mlir", default=DEFAULT_MLIR, help="generated encoder.mlir (weights)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE, help="encoder.mlir.in")
    args = parser.parse_args()

    checking = bool(args.check or args.check_against)
    if checking == args.bench:
        parser.error("give either --check/--check-against or --bench")
    if checking and (args.length is None or args.length < 1):
        parser.error("--check needs --length L (L >= 1)")
    if args.bench and bool(args.lengths_csv) == bool(args.lengths):
        parser.error("--bench needs exactly one of --lengths-csv and --lengths")
    if args.lengths_csv and not os.path.exists(args.lengths_csv):
        parser.error("no such file: %s" % args.lengths_csv)

    preload_blas(args.blas)
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    print("# blas: %s" % blas_description(torch))
    print("# threads: torch %d, OMP_NUM_THREADS=%s" % (torch.get_num_threads(),
                                                       os.environ["OMP_NUM_THREADS"]))
    sys.stdout.flush()
    model = Encoder(torch, load_weights(args.mlir, args.template), args.impl)
    with torch.no_grad():
        if args.bench:
            bench(torch, model, args)
            return 0
        return check(torch, model, args)


if __name__ == "__main__":
    sys.exit(main())
