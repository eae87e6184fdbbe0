#!/usr/bin/env python3
"""Draws the decoder benchmark's per-step sweep as an SVG (standard library
only): the time of one decode step against the cache length for the
bucketed, pad-to-max, exact-length (oracle) and generic builds, with the
decode bucket sizes as vertical lines.

  plot_decoder_steps.py steps.csv out.svg [--buckets len=128,...,1024]

steps.csv is what `bucket-bench-decoder --steps-csv` writes: len, bucket,
bucketed_ms, padmax_ms, generic_ms, exact_ms, ... (nan where a build was not
timed at that length).
"""

import argparse
import csv
import math

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 28, 48
SERIES = [  # column, label, colour, draw as: line or points
    ("bucketed_ms", "bucketed", "#1f77b4", "line"),
    ("padmax_ms", "pad-to-max", "#d62728", "line"),
    ("exact_ms", "exact length", "#2ca02c", "line"),
    ("generic_ms", "generic", "#7f7f7f", "points"),
]


def read(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append({k: float(v) for k, v in r.items()})
    return rows


def nice_step(span, ticks=6):
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("steps")
    ap.add_argument("svg")
    ap.add_argument("--buckets", default="")
    args = ap.parse_args()
    rows = read(args.steps)
    if not rows:
        raise SystemExit("plot_decoder_steps: no rows in %s" % args.steps)
    buckets = [int(b) for b in args.buckets.partition("=")[2].split(",") if b]
    xmax = max(r["len"] for r in rows)
    values = [r[c] for r in rows for c, *_ in SERIES if not math.isnan(r[c])]
    ystep = nice_step(max(values))
    ymax = ystep * math.ceil(max(values) / ystep)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x = lambda v: LEFT + pw * v / xmax
    y = lambda v: TOP + ph * (1 - v / ymax)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (WIDTH, HEIGHT),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">Decode step time against '
           'the cache length (one core)</text>' % LEFT]
    for b in buckets:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbb" '
                   'stroke-dasharray="3,3"/>' % (x(b), TOP, x(b), TOP + ph))
    tick = 0.0
    while tick <= ymax + 1e-9:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>'
                   % (LEFT, y(tick), LEFT + pw, y(tick)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>'
                   % (LEFT - 6, y(tick) + 4, round(tick, 6)))
        tick += ystep
    xstep = nice_step(xmax, 8)
    tick = 0.0
    while tick <= xmax + 1e-9:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>'
                   % (x(tick), TOP + ph + 18, tick))
        tick += xstep
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
               'stroke="black"/>' % (LEFT, TOP, pw, ph))
    out.append('<text x="%d" y="%d" text-anchor="middle">cache length '
               '(dashed: decode buckets)</text>' % (LEFT + pw / 2, HEIGHT - 8))
    out.append('<text transform="translate(16,%d) rotate(-90)" '
               'text-anchor="middle">ms per step</text>' % (TOP + ph / 2))
    for i, (col, label, colour, kind) in enumerate(SERIES):
        pts = [(r["len"], r[col]) for r in rows if not math.isnan(r[col])]
        if kind == "line" and len(pts) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="1.6" '
                       'points="%s"/>' % (colour, " ".join(
                           "%.1f,%.1f" % (x(a), y(b)) for a, b in pts)))
        else:
            out += ['<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>'
                    % (x(a), y(b), colour) for a, b in pts]
        ly = TOP + 10 + 18 * i
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                   'stroke-width="3"/>' % (LEFT + pw + 12, ly, LEFT + pw + 32,
                                           ly, colour))
        out.append('<text x="%d" y="%d">%s</text>'
                   % (LEFT + pw + 38, ly + 4, label))
    out.append("</svg>")
    with open(args.svg, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
