"""An independent reference for bucket-tune's one-dimensional report.

The cost of test/Tune/Inputs/attention.mlir at sequence length s, counted by
hand from its ops (docs/Tune.md: ops = iterations x body ops, bytes = tensor
operands once each, f32):
  fill s x s:       0 ops, 4 s^2 bytes
  scores (generic): 2 x 64 s^2 ops, 4 (64 s + 64 s + s^2) bytes
  fill s x 64:      0 ops, 256 s bytes
  matmul s x s x 64: 2 x 64 s^2 ops, 4 (s^2 + 64 s + 64 s) bytes
so ops = 256 s^2 and bytes = 12 s^2 + 1280 s; the default time model is
ops / 5e4 + bytes / 2e4 + 2 microseconds. Buckets are chosen by brute force
over every subset of the observed sizes (the dispatcher runs a length in the
smallest bucket that holds it), and the baselines follow their definitions
in docs/Tune.md. Prints the sweep's rows as `K tuned vs-max pow2 pct eq tok`.

  python3 reference.py lengths.csv MAX_K
"""
import csv
import itertools
import math
import sys


def time(s):
    return 256 * s * s / 5e4 + (12 * s * s + 1280 * s) / 2e4 + 2


def expected(hist, buckets, cost):
    total = sum(hist.values())
    return sum(n * cost(min(b for b in buckets if b >= s))
               for s, n in hist.items()) / total


def best(hist, k, cost):
    sizes = sorted(hist)
    cover = sizes[-1]
    choices = [set(c) | {cover} for r in range(k)
               for c in itertools.combinations(sizes[:-1], r)]
    return min(choices, key=lambda b: expected(hist, b, cost))


def quantile(hist, q):
    total, seen = sum(hist.values()), 0
    for s in sorted(hist):
        seen += hist[s]
        if seen >= q * total * (1 - 1e-12):
            return s
    return max(hist)


def baselines(hist, k):
    cover = max(hist)
    top = 1 << math.ceil(math.log2(cover))
    pow2 = {top >> i for i in range(k)} - {0}
    pct = {quantile(hist, j / k) for j in range(1, k + 1)}
    eq = {math.ceil(cover * j / k) for j in range(1, k + 1)}
    tok = best(hist, k, lambda s: s)
    return pow2, pct, eq, tok


def main():
    hist = {}
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            hist[int(row["seq"])] = hist.get(int(row["seq"]), 0) + int(row["count"])
    oracle = sum(n * time(s) for s, n in hist.items()) / sum(hist.values())
    padmax = expected(hist, {max(hist)}, time)
    for k in range(1, int(sys.argv[2]) + 1):
        tuned = expected(hist, best(hist, k, time), time)
        row = [tuned / oracle, tuned / padmax]
        row += [expected(hist, b, time) / oracle for b in baselines(hist, k)]
        print(k, " ".join("%.3fx" % r for r in row))
        print("spec", k, ",".join(map(str, sorted(best(hist, k, time)))))


main()
