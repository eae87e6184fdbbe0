#!/usr/bin/env python3
"""The example decoder's buckets (examples/decoder/README.md), from a prompt
length histogram (`length,count`) and the work model of
benchmarks/decoder.cpp:

  prefill of P tokens:   3.1e6 * P + 2048 * P^2 FLOPs   (matmuls, attention)
  decode at length len:  8.4e6 + 4096 * len bytes       (weights, cache read)

Each prompt of length P is prefilled once, then decodes at len = P + 1 ..
P + new_tokens. An exact dynamic program chooses the K bucket sizes (among
the lengths that occur) minimizing the expected cost; the capacity is then
appended so that every length up to it runs.

  decoder_buckets.py squad_v1.1_dev_context_tokens.csv [--prefill 12]
                     [--decode 8] [--new-tokens 64] [--capacity 1024]
"""

import argparse
import csv


def choose(hist, cost, k):
    """The k sizes minimizing sum(count * cost(bucket)); the largest length
    is always a bucket. Returns (sizes, total cost)."""
    vals = sorted(hist)
    n = len(vals)
    prefix = [0]
    for v in vals:
        prefix.append(prefix[-1] + hist[v])
    seg = lambda i, j: (prefix[j + 1] - prefix[i]) * cost(vals[j])
    inf = float("inf")
    best = [[inf] * n for _ in range(k + 1)]
    arg = [[None] * n for _ in range(k + 1)]
    for j in range(n):
        best[1][j] = seg(0, j)
    for b in range(2, k + 1):
        for j in range(n):
            for i in range(j):
                c = best[b - 1][i] + seg(i + 1, j)
                if c < best[b][j]:
                    best[b][j], arg[b][j] = c, i
    k = min(k, n)
    sizes, j, b = [], n - 1, k
    while b >= 1 and j is not None:
        sizes.append(vals[j])
        j, b = arg[b][j], b - 1
    return sorted(sizes), best[k][n - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--prefill", type=int, default=12)
    ap.add_argument("--decode", type=int, default=8)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--capacity", type=int, default=1024)
    a = ap.parse_args()
    prompts = {}
    with open(a.csv) as f:
        for row in list(csv.reader(f))[1:]:
            p = min(int(row[0]), a.capacity - a.new_tokens)
            prompts[p] = prompts.get(p, 0) + int(row[1])
    lens = {}
    for p, c in prompts.items():
        for t in range(1, a.new_tokens + 1):
            lens[p + t] = lens.get(p + t, 0) + c
    for name, hist, cost, k in (
            ("prompt", prompts, lambda p: 3.1e6 * p + 2048.0 * p * p, a.prefill),
            ("len", lens, lambda n: 8.4e6 + 4096.0 * n, a.decode)):
        sizes, total = choose(hist, cost, k)
        exact = sum(c * cost(v) for v, c in hist.items())
        padmax = sum(hist.values()) * cost(a.capacity)
        print("%s=%s  (work: %.3fx the exact lengths', pad-to-max %.2fx)" % (
            name, ",".join(map(str, sizes + [a.capacity])), total / exact,
            padmax / exact))


if __name__ == "__main__":
    main()
