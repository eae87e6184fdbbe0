#!/usr/bin/python3
"""Differential random-model tester for bucket-compile.

Generates random well-formed tensor-level functions with dynamic dimensions
(elementwise arith/math with broadcasting, linalg.matmul/batch_matmul,
reductions over padded and static axes, softmax, transpose, broadcast,
tensor.extract_slice/concat/expand_shape/collapse_shape, tensor.dim used as a
value, hidden reductions, linalg.index), random bucket specifications and
out-of-range policies. Each model is compiled twice, as the e2e tests do:

  bucketed:  bucket-compile model.mlir --buckets SPEC [--out-of-range P]
  reference: mlir-opt --pass-pipeline="$(bucket-compile --print-lowering-pipeline)"
             | mlir-translate --mlir-to-llvmir | clang -O2

and both are compared by bucket-e2e-compare at every bucket edge (1, each
bucket size, one past it, the largest, one past the largest: in range under
fallback/split, otherwise an out-of-range report is expected).

Outcomes per model: 'ok' (every shape equal), 'refused' (bucket-compile gave
a diagnostic; counted by reason), 'invalid' (the reference lowering failed: a
generator bug, reported), and failures: 'crash' (bucket-compile crashed or
hung), 'mismatch' (a result differs or a report is wrong), 'runtime-crash'
(the comparison program died). A failing model is shrunk (results, ops,
buckets, policy) and the smallest reproducer still failing the same way is
written to --out DIR/<model>/ (model.mlir, repro.sh, and a lit test).

  /usr/bin/python3 scripts/difftest.py --seed 1 --count 200 [--bin build/bin]
      [--lib build/lib] [--work DIR] [--out DIR] [--keep] [-v]

Reproducible: model i of a run uses random.Random(f"{seed}:{i}").
Exit status: 0 if no failure (and no invalid model), 1 otherwise.
"""

import argparse
import collections
import copy
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LLVM_BIN = "/usr/lib/llvm-22/bin"
NEG_INF = "0xFF800000"
SYMS = ["B", "S", "T"]
DECOMPOSE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                         "test", "e2e", "Inputs", "decompose-interface.mlir")


# ---------------------------------------------------------------------------
# Model representation: a list of op records over values with known shapes.
# A shape is a tuple of dimension keys: an int (static), a symbolic name
# ("S"), or a merged key "S*2" (a symbolic dimension collapsed with a static
# one).
# ---------------------------------------------------------------------------

def is_sym(k):
    return isinstance(k, str) and "*" not in k


def is_dyn(k):
    return isinstance(k, str)


def ttype(shape):
    dims = ["?" if is_dyn(k) else str(k) for k in shape]
    return "tensor<" + "x".join(dims + ["f32"]) + ">"


class Op:
    def __init__(self, kind, ins, out, shape, **params):
        self.kind, self.ins, self.out, self.shape = kind, list(ins), out, shape
        self.params = params


class Model:
    def __init__(self):
        self.args = []          # (name, shape)
        self.ops = []           # Op
        self.results = []       # value names
        self.buckets = {}       # sym -> sorted sizes
        self.tuples = None      # explicit rows (list of dicts) or None: grid
        self.policy = "error"   # error | fallback | split:SYM

    def shapes(self):
        s = {n: sh for n, sh in self.args}
        for op in self.ops:
            s[op.out] = op.shape
        return s

    def used_syms(self):
        seen = []
        for _, sh in self.args:
            for k in sh:
                if is_sym(k) and k not in seen:
                    seen.append(k)
        return [k for k in SYMS if k in seen]


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

class Gen:
    def __init__(self, rng, max_ops=7):
        self.rng, self.max_ops = rng, max_ops
        self.m = Model()
        self.n = 0
        nsym = rng.choice([1, 1, 2, 2, 3])
        self.syms = SYMS[:nsym]

    def fresh(self, prefix="v"):
        self.n += 1
        return f"%{prefix}{self.n}"

    def rand_dim(self, allow_sym=True):
        if allow_sym and self.rng.random() < 0.5:
            return self.rng.choice(self.syms)
        return self.rng.choice([1, 2, 3, 4, 4, 5, 6])

    def new_arg(self, shape):
        name = f"%a{len(self.m.args)}"
        self.m.args.append((name, tuple(shape)))
        return name

    def pool(self):
        return list(self.m.shapes().items())

    def pick(self, pred=lambda sh: True):
        cands = [(n, sh) for n, sh in self.pool() if pred(sh)]
        if not cands:
            return None, None
        # Prefer recent values so that ops chain.
        w = [1 + i for i in range(len(cands))]
        return self.rng.choices(cands, weights=w)[0]

    def add(self, kind, ins, shape, **params):
        out = self.fresh()
        self.m.ops.append(Op(kind, ins, out, tuple(shape), **params))
        return out

    # Each op generator returns True if it added an op.
    def g_unary(self):
        x, sh = self.pick()
        fn = self.rng.choice(["tanh", "neg", "abs", "sin", "scale", "exptanh",
                              "sqrtabs"])
        self.add("unary", [x], sh, fn=fn)
        return True

    def g_binary(self):
        x, sh = self.pick()
        r = self.rng.random()
        if r < 0.4:
            # Same shape: another value or a new argument.
            y, _ = self.pick(lambda s: s == sh)
            if y is None or y == x or self.rng.random() < 0.3:
                if any(k for k in sh if is_dyn(k) and not is_sym(k)):
                    return False
                y = self.new_arg(sh)
            pos = list(range(len(sh)))
        else:
            # Broadcast: y has a subsequence of x's dimensions.
            pos = sorted(self.rng.sample(range(len(sh)),
                                         self.rng.randint(0, len(sh))))
            ysh = tuple(sh[p] for p in pos)
            if len(ysh) == 0 or any(is_dyn(k) and not is_sym(k) for k in ysh):
                return False
            y, _ = self.pick(lambda s: s == ysh)
            if y is None or self.rng.random() < 0.5:
                y = self.new_arg(ysh)
        fn = self.rng.choice(["addf", "mulf", "subf", "maximumf", "minimumf"])
        if self.rng.random() < 0.25 and len(pos) == len(sh):
            self.add("tarith", [x, y], sh, fn=fn)
        else:
            self.add("binary", [x, y], sh, fn=fn, pos=pos)
        return True

    def g_broadcast(self):
        x, sh = self.pick(lambda s: len(s) < 4)
        if x is None:
            return False
        k = self.rand_dim()
        if is_sym(k) and not any(k in s for _, s in self.m.args):
            return False
        p = self.rng.randint(0, len(sh))
        self.add("broadcast", [x], sh[:p] + (k,) + sh[p:], pos=p)
        return True

    def g_transpose(self):
        x, sh = self.pick(lambda s: len(s) >= 2)
        if x is None:
            return False
        perm = list(range(len(sh)))
        while perm == sorted(perm):
            self.rng.shuffle(perm)
        self.add("transpose", [x], tuple(sh[p] for p in perm), perm=perm)
        return True

    def g_matmul(self, batch=False):
        rank = 3 if batch else 2
        x, sh = self.pick(lambda s: len(s) == rank)
        if x is None:
            return False
        if any(is_dyn(k) and not is_sym(k) for k in sh):
            return False
        n = self.rand_dim()
        ysh = (sh[:-2] if batch else ()) + (sh[-1], n)
        y, _ = self.pick(lambda s: s == ysh)
        if y is None or self.rng.random() < 0.5:
            y = self.new_arg(ysh)
        out = sh[:-1] + (n,)
        self.add("batch_matmul" if batch else "matmul", [x, y], out)
        return True

    def g_reduce(self):
        x, sh = self.pick(lambda s: len(s) >= 2)
        if x is None:
            return False
        axis = self.rng.randrange(len(sh))
        kind = self.rng.choice(["sum", "max", "sumsq", "subacc", "max"])
        out = sh[:axis] + sh[axis + 1:]
        self.add("reduce", [x], out, axis=axis, red=kind)
        return True

    def g_softmax(self):
        x, sh = self.pick()
        d = self.rng.randrange(len(sh))
        kind = "softmax" if self.rng.random() < 0.6 else "softmax_manual"
        self.add(kind, [x], sh, dim=d)
        return True

    def g_slice(self):
        x, sh = self.pick(lambda s: any(isinstance(k, int) and k >= 2
                                        for k in s))
        if x is None:
            return False
        d = self.rng.choice([i for i, k in enumerate(sh)
                             if isinstance(k, int) and k >= 2])
        size = self.rng.randint(1, sh[d] - 1)
        off = self.rng.randint(0, sh[d] - size)
        self.add("slice", [x], sh[:d] + (size,) + sh[d + 1:], dim=d, off=off)
        return True

    def g_concat(self):
        x, sh = self.pick(lambda s: any(isinstance(k, int) for k in s))
        if x is None:
            return False
        d = self.rng.choice([i for i, k in enumerate(sh) if isinstance(k, int)])
        if any(is_dyn(k) and not is_sym(k) for k in sh):
            return False
        ysh = sh[:d] + (self.rng.randint(1, 3),) + sh[d + 1:]
        y, _ = self.pick(lambda s: s == ysh)
        if y is None or self.rng.random() < 0.5:
            y = self.new_arg(ysh)
        self.add("concat", [x, y], sh[:d] + (sh[d] + ysh[d],) + sh[d + 1:],
                 dim=d)
        return True

    def g_expand(self):
        x, sh = self.pick(lambda s: len(s) < 4)
        if x is None:
            return False
        d = self.rng.randrange(len(sh))
        k = sh[d]
        if isinstance(k, int) and k % 2 == 0 and k > 2:
            new = (2, k // 2)
        elif is_dyn(k) and not is_sym(k):
            name, f = k.split("*")
            new = (name, int(f))
        elif self.rng.random() < 0.5:
            new = (1, k)
        else:
            new = (k, 1)
        self.add("expand", [x], sh[:d] + new + sh[d + 1:], dim=d)
        return True

    def g_collapse(self):
        x, sh = self.pick(lambda s: len(s) >= 2)
        if x is None:
            return False
        d = self.rng.randrange(len(sh) - 1)
        a, b = sh[d], sh[d + 1]
        if isinstance(a, int) and isinstance(b, int):
            k = a * b
        elif a == 1:
            k = b
        elif b == 1:
            k = a
        elif is_sym(a) and isinstance(b, int):
            k = f"{a}*{b}"
        else:
            return False
        self.add("collapse", [x], sh[:d] + (k,) + sh[d + 2:], dim=d)
        return True

    def g_dimvalue(self):
        x, sh = self.pick(lambda s: any(is_dyn(k) for k in s))
        if x is None:
            return False
        d = self.rng.choice([i for i, k in enumerate(sh) if is_dyn(k)])
        if self.rng.random() < 0.5 and len(sh) >= 2:
            self.add("mean", [x], sh[:d] + sh[d + 1:], axis=d)
        else:
            self.add("dimscale", [x], sh, axis=d)
        return True

    def g_hidden(self):
        x, sh = self.pick(lambda s: len(s) >= 2)
        if x is None:
            return False
        axis = self.rng.randrange(len(sh))
        self.add("hidden", [x], sh[:axis] + sh[axis + 1:], axis=axis)
        return True

    def g_index(self):
        x, sh = self.pick()
        d = self.rng.randrange(len(sh))
        self.add("index", [x], sh, dim=d)
        return True

    def generate(self):
        rng = self.rng
        rank = rng.choice([1, 2, 2, 3])
        sh = [self.rand_dim() for _ in range(rank)]
        if not any(is_sym(k) for k in sh):
            sh[rng.randrange(rank)] = rng.choice(self.syms)
        self.new_arg(sh)
        gens = [(self.g_unary, 3), (self.g_binary, 4), (self.g_broadcast, 1),
                (self.g_transpose, 1), (self.g_matmul, 2),
                (lambda: self.g_matmul(True), 1), (self.g_reduce, 3),
                (self.g_softmax, 2), (self.g_slice, 1), (self.g_concat, 1),
                (self.g_expand, 1), (self.g_collapse, 1),
                (self.g_dimvalue, 1), (self.g_hidden, 1), (self.g_index, 1)]
        target = rng.randint(1, self.max_ops)
        tries = 0
        while len(self.m.ops) < target and tries < 100:
            tries += 1
            g = rng.choices([g for g, _ in gens], weights=[w for _, w in gens])[0]
            g()
        ok = [op.out for op in self.m.ops if len(op.shape) >= 1]
        if not ok:
            return None
        res = [ok[-1]]
        if len(ok) > 1 and rng.random() < 0.4:
            res.insert(0, rng.choice(ok[:-1]))
        self.m.results = res
        prune(self.m)
        syms = self.m.used_syms()
        if not syms:
            return None
        for s in syms:
            n = rng.randint(1, 4)
            self.m.buckets[s] = sorted(rng.sample(range(1, 13), n))
        if len(syms) >= 2 and rng.random() < 0.3:
            rows = []
            for _ in range(rng.randint(2, 3)):
                rows.append({s: rng.choice(self.m.buckets[s]) for s in syms})
            self.m.tuples = rows
        r = rng.random()
        if r < 0.2:
            self.m.policy = "fallback"
        elif r < 0.35:
            self.m.policy = "split:" + rng.choice(syms)
        return self.m


def prune(m):
    """Drops ops whose values are not used and unused arguments."""
    changed = True
    while changed:
        changed = False
        used = set(m.results)
        for op in m.ops:
            used.update(op.ins)
        keep = [op for op in m.ops if op.out in used]
        if len(keep) != len(m.ops):
            m.ops, changed = keep, True
    used = set(m.results)
    for op in m.ops:
        used.update(op.ins)
    m.args = [(n, s) for n, s in m.args if n in used]


# ---------------------------------------------------------------------------
# Rendering to MLIR
# ---------------------------------------------------------------------------

class RenderError(Exception):
    pass


def amap(n, outs):
    ds = ", ".join(f"d{i}" for i in range(n))
    return f"affine_map<({ds}) -> ({', '.join(f'd{i}' for i in outs)})>"


def iters(n, red=()):
    return "[" + ", ".join('"reduction"' if i in red else '"parallel"'
                           for i in range(n)) + "]"


class Renderer:
    def __init__(self, m):
        self.m = m
        self.lines = []
        self.shapes = {n: s for n, s in m.args}
        self.dimvals = {}
        self.n = 0

    def tmp(self, p="t"):
        self.n += 1
        return f"%{p}{self.n}"

    def emit(self, s):
        self.lines.append("  " + s)

    def dim(self, key):
        if key in self.dimvals:
            return self.dimvals[key]
        for name, sh in self.shapes.items():
            if key in sh:
                i = sh.index(key)
                v = self.tmp("d")
                self.emit(f"{v} = tensor.dim {name}, %ci{i} : {ttype(sh)}")
                self.dimvals[key] = v
                return v
        if is_dyn(key) and not is_sym(key):
            name, f = key.split("*")
            base, k, v = self.dim(name), self.tmp("k"), self.tmp("d")
            self.emit(f"{k} = arith.constant {f} : index")
            self.emit(f"{v} = arith.muli {base}, {k} : index")
            self.dimvals[key] = v
            return v
        raise RenderError(f"no value carries dimension {key}")

    def empty(self, sh):
        dyn = [self.dim(k) for k in sh if is_dyn(k)]
        v = self.tmp("e")
        self.emit(f"{v} = tensor.empty({', '.join(dyn)}) : {ttype(sh)}")
        return v

    def fill(self, sh, val):
        e = self.empty(sh)
        c = self.tmp("c")
        self.emit(f"{c} = arith.constant {val} : f32")
        v = self.tmp("f")
        self.emit(f"{v} = linalg.fill ins({c} : f32) outs({e} : {ttype(sh)})"
                  f" -> {ttype(sh)}")
        return v

    def generic(self, out, ins, maps, it, init, osh, body):
        """body: list of lines using %in0.. and %acc, ending with a value
        named %r."""
        ti = ", ".join(f"{v}" for v, _ in ins)
        tt = ", ".join(ttype(s) for _, s in ins)
        args = ", ".join([f"%in{i}: f32" for i in range(len(ins))] +
                         ["%acc: f32"])
        self.emit(f"{out} = linalg.generic {{indexing_maps = [{', '.join(maps)}],"
                  f" iterator_types = {it}}}")
        self.emit(f"    ins({ti} : {tt}) outs({init} : {ttype(osh)}) {{")
        self.emit(f"  ^bb0({args}):")
        for b in body:
            self.emit("    " + b)
        self.emit("    linalg.yield %r : f32")
        self.emit(f"  }} -> {ttype(osh)}")

    UNARY = {
        "tanh": ["%r = math.tanh %in0 : f32"],
        "neg": ["%r = arith.negf %in0 : f32"],
        "abs": ["%r = math.absf %in0 : f32"],
        "sin": ["%r = math.sin %in0 : f32"],
        "scale": ["%k = arith.constant 0.75 : f32",
                  "%r = arith.mulf %in0, %k : f32"],
        "exptanh": ["%h = math.tanh %in0 : f32", "%r = math.exp %h : f32"],
        "sqrtabs": ["%h = math.absf %in0 : f32", "%r = math.sqrt %h : f32"],
    }

    def op(self, op):
        sh = [self.shapes[i] for i in op.ins]
        x = op.ins[0]
        o, osh, p = op.out, op.shape, op.params
        n = len(sh[0])
        if op.kind == "unary":
            e = self.empty(osh)
            self.generic(o, [(x, sh[0])], [amap(n, range(n))] * 2, iters(n), e,
                         osh, self.UNARY[p["fn"]])
        elif op.kind == "tarith":
            self.emit(f"{o} = arith.{p['fn']} {x}, {op.ins[1]} : {ttype(osh)}")
        elif op.kind == "binary":
            e = self.empty(osh)
            self.generic(o, [(x, sh[0]), (op.ins[1], sh[1])],
                         [amap(n, range(n)), amap(n, p["pos"]),
                          amap(n, range(n))], iters(n), e, osh,
                         [f"%r = arith.{p['fn']} %in0, %in1 : f32"])
        elif op.kind == "broadcast":
            e = self.empty(osh)
            self.emit(f"{o} = linalg.broadcast ins({x} : {ttype(sh[0])}) "
                      f"outs({e} : {ttype(osh)}) dimensions = [{p['pos']}]")
        elif op.kind == "transpose":
            e = self.empty(osh)
            self.emit(f"{o} = linalg.transpose ins({x} : {ttype(sh[0])}) "
                      f"outs({e} : {ttype(osh)}) permutation = "
                      f"[{', '.join(map(str, p['perm']))}]")
        elif op.kind in ("matmul", "batch_matmul"):
            f = self.fill(osh, "0.0")
            self.emit(f"{o} = linalg.{op.kind} ins({x}, {op.ins[1]} : "
                      f"{ttype(sh[0])}, {ttype(sh[1])}) outs({f} : "
                      f"{ttype(osh)}) -> {ttype(osh)}")
        elif op.kind == "reduce":
            self.reduce(op, x, sh[0])
        elif op.kind == "softmax":
            e = self.empty(osh)
            self.emit(f"{o} = linalg.softmax dimension({p['dim']}) ins({x} : "
                      f"{ttype(osh)}) outs({e} : {ttype(osh)}) -> {ttype(osh)}")
        elif op.kind == "softmax_manual":
            self.softmax_manual(op, x, sh[0])
        elif op.kind == "slice":
            self.slice(op, x, sh[0])
        elif op.kind == "concat":
            self.emit(f"{o} = tensor.concat dim({p['dim']}) {x}, {op.ins[1]} :"
                      f" ({ttype(sh[0])}, {ttype(sh[1])}) -> {ttype(osh)}")
        elif op.kind == "expand":
            self.expand(op, x, sh[0])
        elif op.kind == "collapse":
            d = p["dim"]
            groups = [[i] for i in range(d)] + [[d, d + 1]] + \
                [[i] for i in range(d + 2, n)]
            self.emit(f"{o} = tensor.collapse_shape {x} {groups} : "
                      f"{ttype(sh[0])} into {ttype(osh)}")
        elif op.kind in ("mean", "dimscale"):
            self.dimvalue(op, x, sh[0])
        elif op.kind == "hidden":
            a = p["axis"]
            f = self.fill(osh, "0.0")
            self.generic(o, [(x, sh[0])], [amap(n, range(n)),
                         amap(n, [i for i in range(n) if i != a])], iters(n),
                         f, osh, ["%k = arith.constant 0.5 : f32",
                                  "%h = arith.mulf %acc, %k : f32",
                                  "%r = arith.addf %h, %in0 : f32"])
        elif op.kind == "index":
            e = self.empty(osh)
            self.generic(o, [(x, sh[0])], [amap(n, range(n))] * 2, iters(n), e,
                         osh, [f"%i = linalg.index {p['dim']} : index",
                               "%j = arith.index_cast %i : index to i64",
                               "%g = arith.sitofp %j : i64 to f32",
                               "%r = arith.addf %in0, %g : f32"])
        else:
            raise RenderError(op.kind)
        self.shapes[o] = osh

    def reduce(self, op, x, sh):
        n, a, red = len(sh), op.params["axis"], op.params["red"]
        init = NEG_INF if red == "max" else "0.0"
        f = self.fill(op.shape, init)
        body = {"sum": ["%r = arith.addf %acc, %in0 : f32"],
                "max": ["%r = arith.maximumf %in0, %acc : f32"],
                "sumsq": ["%q = arith.mulf %in0, %in0 : f32",
                          "%r = arith.addf %acc, %q : f32"],
                "subacc": ["%r = arith.subf %acc, %in0 : f32"]}[red]
        self.generic(op.out, [(x, sh)], [amap(n, range(n)),
                     amap(n, [i for i in range(n) if i != a])],
                     iters(n, (a,)), f, op.shape, body)

    def softmax_manual(self, op, x, sh):
        n, d = len(sh), op.params["dim"]
        rsh = sh[:d] + sh[d + 1:]
        keep = [i for i in range(n) if i != d]
        full, part = amap(n, range(n)), amap(n, keep)
        mx = self.tmp("m")
        self.generic(mx, [(x, sh)], [full, part], iters(n, (d,)),
                     self.fill(rsh, NEG_INF), rsh,
                     ["%r = arith.maximumf %in0, %acc : f32"])
        ex = self.tmp("x")
        self.generic(ex, [(x, sh), (mx, rsh)], [full, part, full], iters(n),
                     self.empty(sh), sh,
                     ["%s = arith.subf %in0, %in1 : f32",
                      "%r = math.exp %s : f32"])
        sm = self.tmp("s")
        self.generic(sm, [(ex, sh)], [full, part], iters(n, (d,)),
                     self.fill(rsh, "0.0"), rsh,
                     ["%r = arith.addf %acc, %in0 : f32"])
        self.generic(op.out, [(ex, sh), (sm, rsh)], [full, part, full],
                     iters(n), self.empty(sh), sh,
                     ["%r = arith.divf %in0, %in1 : f32"])

    def slice(self, op, x, sh):
        d, off = op.params["dim"], op.params["off"]
        offs = ["0"] * len(sh)
        offs[d] = str(off)
        sizes = [self.dim(k) if is_dyn(k) else str(k) for k in op.shape]
        self.emit(f"{op.out} = tensor.extract_slice {x}[{', '.join(offs)}] "
                  f"[{', '.join(sizes)}] [{', '.join(['1'] * len(sh))}] : "
                  f"{ttype(sh)} to {ttype(op.shape)}")

    def expand(self, op, x, sh):
        d = op.params["dim"]
        groups = [[i] for i in range(d)] + [[d, d + 1]] + \
            [[i + 1] for i in range(d + 1, len(sh))]
        outs = [self.dim(k) if is_dyn(k) else str(k) for k in op.shape]
        self.emit(f"{op.out} = tensor.expand_shape {x} {groups} output_shape "
                  f"[{', '.join(outs)}] : {ttype(sh)} into {ttype(op.shape)}")

    def dimvalue(self, op, x, sh):
        n, a = len(sh), op.params["axis"]
        cnt = self.tmp("n")
        self.emit(f"{cnt} = tensor.dim {x}, %ci{a} : {ttype(sh)}")
        i64 = self.tmp("i")
        self.emit(f"{i64} = arith.index_cast {cnt} : index to i64")
        fv = self.tmp("fv")
        self.emit(f"{fv} = arith.sitofp {i64} : i64 to f32")
        if op.kind == "dimscale":
            self.generic(op.out, [(x, sh)], [amap(n, range(n))] * 2, iters(n),
                         self.empty(sh), sh,
                         [f"%r = arith.mulf %in0, {fv} : f32"])
            return
        keep = [i for i in range(n) if i != a]
        sm = self.tmp("s")
        self.generic(sm, [(x, sh)], [amap(n, range(n)), amap(n, keep)],
                     iters(n, (a,)), self.fill(op.shape, "0.0"), op.shape,
                     ["%r = arith.addf %acc, %in0 : f32"])
        k = len(op.shape)
        self.generic(op.out, [(sm, op.shape)], [amap(k, range(k))] * 2,
                     iters(k), self.empty(op.shape), op.shape,
                     [f"%r = arith.divf %in0, {fv} : f32"])


def render(m, func="f"):
    r = Renderer(m)
    for c in range(4):
        r.emit(f"%ci{c} = arith.constant {c} : index")
    for op in m.ops:
        r.op(op)
    shapes = m.shapes()
    rt = [ttype(shapes[v]) for v in m.results]
    args = []
    for name, sh in m.args:
        dims = ", ".join(f'"{k}"' if is_sym(k) else '""' for k in sh)
        args.append(f"{name}: {ttype(sh)} {{bucket.dims = [{dims}]}}")
    head = (f"func.func @{func}({', '.join(args)}) -> ({', '.join(rt)})\n"
            "    attributes {llvm.emit_c_interface} {")
    ret = f"  return {', '.join(m.results)} : {', '.join(rt)}"
    return "\n".join([head] + r.lines + [ret, "}"]) + "\n"


# ---------------------------------------------------------------------------
# Specs, sizes and compare arguments
# ---------------------------------------------------------------------------

def spec_text(m):
    syms = m.used_syms()
    if m.tuples:
        rows = sorted({tuple(r[s] for s in syms) for r in m.tuples})
        return ",".join(syms) + "=" + ",".join("x".join(map(str, r))
                                             for r in rows)
    return ";".join(f"{s}={','.join(map(str, m.buckets[s]))}" for s in syms)


def policy_option(m):
    if m.policy == "error":
        return []
    if m.policy == "fallback":
        return ["--out-of-range", "fallback"]
    return ["--out-of-range", f"{m.policy.split(':')[1]}=split"]


def sizes_for(m):
    """In-range and out-of-range shapes (dicts) at every bucket edge."""
    syms = m.used_syms()
    if m.tuples:
        rows = [tuple(r[s] for s in syms) for r in m.tuples]
        sizes = {s: sorted({r[i] for r in rows}) for i, s in enumerate(syms)}
    else:
        rows, sizes = None, {s: m.buckets[s] for s in syms}
    mx = {s: max(v) for s, v in sizes.items()}
    split = m.policy.split(":")[1] if m.policy.startswith("split") else None
    edges = {}
    for s in syms:
        e = {1, mx[s]} | set(sizes[s]) | {v + 1 for v in sizes[s] if v < mx[s]}
        if m.policy == "fallback" or s == split:
            e |= {mx[s] + 1, 2 * mx[s] + 1}
        edges[s] = sorted(e)

    def fits(shape):
        if rows is None:
            return all(shape[s] <= mx[s] for s in syms)
        return any(all(shape[s] <= r[i] for i, s in enumerate(syms))
                   for r in rows)

    inr, outr = [], []
    shapes = [{}]
    for s in syms:
        shapes = [dict(d, **{s: v}) for d in shapes for v in edges[s]]
    for sh in shapes:
        beyond = [s for s in syms if sh[s] > mx[s]]
        if m.policy == "fallback" or fits(sh):
            inr.append(sh)
        elif split and beyond == [split] and fits(dict(sh, **{split: mx[split]})):
            inr.append(sh)
        else:
            outr.append(sh)
    if m.policy != "fallback":
        for s in syms:
            if s != split:
                outr.append({t: (mx[s] + 1 if t == s else 1) for t in syms})
    uniq = lambda l: [dict(t) for t in sorted({tuple(sorted(d.items()))
                                               for d in l})]
    return syms, mx, uniq(inr), uniq(outr)


def compare_args(m, func):
    shapes = m.shapes()

    def sig(sh, result):
        dims = [k if is_sym(k) else ("?" if is_dyn(k) else str(k)) for k in sh]
        return "f32[" + ",".join(dims) + "]"
    syms, mx, inr, outr = sizes_for(m)
    args = ["--func", func,
            "--args", ";".join(sig(s, False) + "=-1..1" for _, s in m.args),
            "--results", ";".join(sig(shapes[v], True) for v in m.results),
            # A split dimension has no largest size: past it, a report names
            # another dimension (or -1: no bucket fits the others).
            "--max", ";".join(f"{s}={10**6 if m.policy == 'split:' + s else mx[s]}"
                              for s in syms),
            "--rtol", "1e-4", "--atol", "1e-4"]
    for sh in inr:
        args += ["--points", ";".join(f"{s}={sh[s]}" for s in syms)]
    for sh in outr:
        args += ["--out-of-range", ";".join(f"{s}={sh[s]}" for s in syms)]
    return args, len(inr), len(outr)


# ---------------------------------------------------------------------------
# Running one model
# ---------------------------------------------------------------------------

CRASH_RE = re.compile(r"PLEASE submit a bug report|Stack dump|Assertion .* failed"
                      r"|LLVM ERROR|Segmentation fault|AddressSanitizer|"
                      r"runtime error:")


def run(cmd, timeout=300):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", "", "timeout"


def refusal_reason(err):
    for line in err.splitlines():
        mm = re.search(r"error: (.*)", line)
        if mm:
            msg = mm.group(1)
            msg = re.sub(r"'[^']*'", "'_'", msg)
            msg = re.sub(r"%\w+|@\w+|\b\d+\b", "_", msg)
            return msg[:90]
    return "no diagnostic"


class Tools:
    def __init__(self, binDir, libDir):
        self.bin, self.lib = binDir, libDir
        self.compile = os.path.join(binDir, "bucket-compile")
        self.compare = os.path.join(binDir, "bucket-e2e-compare")
        self.clang = os.path.join(LLVM_BIN, "clang")
        self.pipeline = run([self.compile, "--print-lowering-pipeline"])[1].strip()

    def link(self, obj, so):
        return run([self.clang, "-shared", obj, "-o", so, f"-L{self.lib}",
                    "-lbucket_runtime", f"-Wl,-rpath,{self.lib}", "-lm"])

    def reference(self, src, d):
        # linalg.softmax has no upstream lowering in the pipeline: it is
        # decomposed first with the transform dialect, as in
        # test/e2e/softmax-op.mlir (one mlir-opt run does both).
        pipeline = self.pipeline
        with open(src) as f:
            if "linalg.softmax" in f.read():
                pipeline = ("builtin.module(transform-preload-library{"
                            f"transform-library-paths={DECOMPOSE}}},"
                            "transform-interpreter," +
                            pipeline[len("builtin.module("):])
        steps = [[os.path.join(LLVM_BIN, "mlir-opt"), src,
                  f"--pass-pipeline={pipeline}", "-o", f"{d}/ref.mlir"],
                 [os.path.join(LLVM_BIN, "mlir-translate"), "--mlir-to-llvmir",
                  f"{d}/ref.mlir", "-o", f"{d}/ref.ll"],
                 [self.clang, "-shared", "-O2", "-fPIC", "-Wno-override-module",
                  f"{d}/ref.ll", "-o", f"{d}/ref.so", f"-L{self.lib}",
                  "-lbucket_runtime", f"-Wl,-rpath,{self.lib}", "-lm"]]
        for c in steps:
            rc, _, err = run(c)
            if rc != 0:
                return err
        return None


def check(m, tools, d, func="f"):
    """Returns (outcome, detail, stats)."""
    os.makedirs(d, exist_ok=True)
    try:
        text = render(m, func)
    except RenderError as e:
        return "unrenderable", str(e), {}
    src = f"{d}/model.mlir"
    with open(src, "w") as f:
        f.write(text)
    err = tools.reference(src, d)
    if err is not None:
        return "invalid", err.strip()[-2000:], {}
    cmd = [tools.compile, src, "--buckets", spec_text(m), "--quiet", "-o",
           f"{d}/b.o"] + policy_option(m)
    rc, _, err = run(cmd)
    if rc == "timeout":
        return "crash", "bucket-compile timed out", {}
    if rc != 0:
        if (isinstance(rc, int) and rc < 0) or CRASH_RE.search(err):
            return "crash", err.strip()[-3000:], {}
        reason = refusal_reason(err)
        # An internal error is the compiler contradicting itself (a repair
        # that did not make the padding safe): a bug, not a refusal.
        if reason.startswith("internal error"):
            return "internal-error", err.strip()[-3000:], {}
        return "refused", reason, {}
    rc, _, err = tools.link(f"{d}/b.o", f"{d}/b.so")
    if rc != 0:
        return "crash", "link failed: " + err[-2000:], {}
    cargs, nin, nout = compare_args(m, func)
    rc, out, err = run([tools.compare, "--ref", f"{d}/ref.so", "--test",
                        f"{d}/b.so"] + cargs)
    stats = {"in": nin, "out": nout}
    if rc == 0:
        return "ok", "", stats
    detail = (out + err).strip()[-3000:]
    if rc == "timeout" or (isinstance(rc, int) and rc < 0) or rc == 2 and \
            "usage" in err:
        return "runtime-crash", f"rc={rc}\n{detail}", stats
    if isinstance(rc, int) and rc != 1:
        return "runtime-crash", f"rc={rc}\n{detail}", stats
    return "mismatch", detail, stats


# ---------------------------------------------------------------------------
# Shrinking
# ---------------------------------------------------------------------------

def candidates(m):
    """Smaller variants of m, most aggressive first."""
    shapes = m.shapes()
    if len(m.results) > 1:
        for i in range(len(m.results)):
            c = copy.deepcopy(m)
            del c.results[i]
            yield c
    for i, op in enumerate(m.ops):
        # Bypass the op: its uses take an input of the same shape.
        for inp in op.ins:
            if shapes.get(inp) != op.shape:
                continue
            c = copy.deepcopy(m)
            del c.ops[i]
            for o in c.ops[i:]:
                o.ins = [inp if v == op.out else v for v in o.ins]
            c.results = [inp if v == op.out else v for v in c.results]
            if any(v in {a for a, _ in c.args} for v in c.results):
                continue
            if len(set(c.results)) != len(c.results):
                continue
            yield c
        # Return this op's value instead of the later ones.
        if op.out not in m.results and len(op.shape) >= 1:
            c = copy.deepcopy(m)
            c.results = [op.out]
            yield c
    if m.tuples and len(m.tuples) > 1:
        for i in range(len(m.tuples)):
            c = copy.deepcopy(m)
            del c.tuples[i]
            yield c
    if m.tuples:
        c = copy.deepcopy(m)
        c.tuples = None
        for s in c.used_syms():
            c.buckets[s] = sorted({r[s] for r in m.tuples})
        yield c
    for s, bs in m.buckets.items():
        for i in range(len(bs)):
            if len(bs) > 1:
                c = copy.deepcopy(m)
                del c.buckets[s][i]
                yield c
            if bs[i] > 1 and (i == 0 or bs[i - 1] < bs[i] - 1):
                c = copy.deepcopy(m)
                c.buckets[s][i] -= 1
                yield c
    if m.policy != "error":
        c = copy.deepcopy(m)
        c.policy = "error"
        yield c


def shrink(m, tools, d, outcome, log, budget=60):
    best, tries = m, 0
    progress = True
    while progress and tries < budget:
        progress = False
        for c in candidates(best):
            prune(c)
            if not c.used_syms() or not c.results:
                continue
            tries += 1
            o, _, _ = check(c, tools, d)
            if o == outcome:
                best, progress = c, True
                log(f"  shrunk: {len(best.ops)} ops, spec {spec_text(best)}")
                break
            if tries >= budget:
                break
    return best


def write_repro(m, tools, outdir, name, outcome, detail):
    os.makedirs(outdir, exist_ok=True)
    func = "f"
    text = render(m, func)
    cargs, nin, _ = compare_args(m, func)
    q = lambda a: "'" + a + "'" if re.search(r"[^\w@%+=:,./-]", a) else a
    spec = spec_text(m)
    pol = " ".join(policy_option(m))
    lines = [
        f"// Found by scripts/difftest.py ({name}): {outcome}.",
        "// " + detail.splitlines()[0][:200] if detail else "//",
        f"// RUN: bucket-compile %s --buckets '{spec}' {pol} -o %t.b.o",
        "// RUN: clang -shared %t.b.o -o %t.b.so -L%bucket_lib -lbucket_runtime"
        " -Wl,-rpath,%bucket_lib -lm",
        "// RUN: mlir-opt %s --pass-pipeline=\"$(bucket-compile "
        "--print-lowering-pipeline)\" -o %t.ref.mlir",
        "// RUN: mlir-translate --mlir-to-llvmir %t.ref.mlir -o %t.ref.ll",
        "// RUN: clang -c -O2 -fPIC -Wno-override-module %t.ref.ll -o %t.ref.o",
        "// RUN: clang -shared %t.ref.o -o %t.ref.so -L%bucket_lib "
        "-lbucket_runtime -Wl,-rpath,%bucket_lib -lm",
        "// RUN: bucket-e2e-compare --ref %t.ref.so --test %t.b.so " +
        " ".join(q(a) for a in cargs) + " | FileCheck %s",
        "// CHECK-NOT: FAIL",
        f"// CHECK: compare: {nin} passed, 0 failed",
        "",
    ]
    with open(f"{outdir}/model.mlir", "w") as f:
        f.write(text)
    with open(f"{outdir}/lit-test.mlir", "w") as f:
        f.write("\n".join(lines) + "\n" + text)
    with open(f"{outdir}/detail.txt", "w") as f:
        f.write(f"{outcome}\nspec: {spec}\npolicy: {m.policy}\n\n{detail}\n")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def run_models(a, tools, work, outdir, log, counts, reasons, ops, shapes,
               failures):
    """Generates, checks and (on failure) shrinks models START..START+COUNT."""
    for i in range(a.start, a.start + a.count):
        rng = random.Random(f"{a.seed}:{i}")
        m = None
        while m is None:
            m = Gen(rng, a.max_ops).generate()
        name = f"s{a.seed}-m{i}"
        d = os.path.join(work, name)
        outcome, detail, st = check(m, tools, d)
        counts["generated"] += 1
        counts[outcome] += 1
        for op in m.ops:
            ops[op.kind] += 1
        if outcome == "refused":
            reasons[detail] += 1
        shapes[0] += st.get("in", 0)
        shapes[1] += st.get("out", 0)
        msg = f"{name}: {outcome} ({len(m.ops)} ops, spec {spec_text(m)}, " \
              f"policy {m.policy}, {st.get('in', 0)}+{st.get('out', 0)} shapes)"
        if outcome == "refused":
            msg += f": {detail}"
        if a.verbose or outcome not in ("ok", "refused"):
            log(msg)
        if outcome in ("crash", "mismatch", "runtime-crash", "invalid",
                       "internal-error"):
            log("  " + "\n  ".join(detail.splitlines()[:12]))
            small = m if a.no_shrink or outcome == "invalid" else \
                shrink(m, tools, d + "-shrink", outcome, log, a.shrink_budget)
            o2, det2, _ = check(small, tools, d + "-final")
            write_repro(small, tools, os.path.join(outdir, name), name, o2,
                        det2)
            failures.append((name, outcome))
            log(f"  reproducer: {os.path.join(outdir, name)}")
        if not a.keep:
            for p in (d, d + "-shrink", d + "-final"):
                shutil.rmtree(p, ignore_errors=True)


def emit_corpus(a):
    """Writes models START..START+COUNT as seeds for bucket-fuzz-compiler:
    each module after a `// bucket-bucketize:` line with its buckets and
    policy (the line the fuzz target reads its options from)."""
    os.makedirs(a.emit_corpus, exist_ok=True)
    written = 0
    for i in range(a.start, a.start + a.count):
        rng = random.Random(f"{a.seed}:{i}")
        m = None
        while m is None:
            m = Gen(rng, a.max_ops).generate()
        try:
            text = render(m)
        except RenderError:
            continue
        words = [f"buckets={spec_text(m)}"]
        policy = policy_option(m)
        if policy:
            words.append(f"out-of-range={policy[1]}")
        name = os.path.join(a.emit_corpus, f"difftest-s{a.seed}-m{i}.mlir")
        with open(name, "w") as f:
            f.write(f"// bucket-bucketize: {' '.join(words)}\n{text}")
        written += 1
    print(f"{written} seeds in {a.emit_corpus}")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--start", type=int, default=0,
                    help="index of the first model (to replay one)")
    found = shutil.which("bucket-compile")
    ap.add_argument("--bin", default=os.path.dirname(found) if found else
                    os.path.join(here, "..", "build", "bin"),
                    help="bucket-compile and bucket-e2e-compare (default: "
                    "PATH's, else build/bin)")
    ap.add_argument("--max-ops", type=int, default=7,
                    help="at most this many ops per model (default 7)")
    ap.add_argument("--lib", default=None, help="default: BIN/../lib")
    ap.add_argument("--work", default=None, help="scratch directory")
    ap.add_argument("--out", default=None,
                    help="where failing models' reproducers go "
                    "(default: WORK/failures)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--shrink-budget", type=int, default=60,
                    help="most candidate models tried while shrinking one")
    ap.add_argument("--keep", action="store_true", help="keep WORK")
    ap.add_argument("--json", default=None, help="write the counts here")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--emit-corpus", default=None, metavar="DIR",
                    help="only write the models to DIR as seeds for "
                    "bucket-fuzz-compiler (no compilation)")
    a = ap.parse_args()
    if a.emit_corpus:
        return emit_corpus(a)
    lib = a.lib or os.path.join(a.bin, "..", "lib")
    tools = Tools(os.path.abspath(a.bin), os.path.abspath(lib))
    work = a.work or tempfile.mkdtemp(prefix="difftest-")
    os.makedirs(work, exist_ok=True)
    outdir = a.out or os.path.join(work, "failures")
    log = lambda s: print(s, flush=True)

    counts = collections.Counter()
    reasons = collections.Counter()
    ops = collections.Counter()
    shapes = [0, 0]
    failures = []
    t0 = time.time()
    # A time limit (SIGTERM, e.g. from `timeout`) ends the run with its
    # summary.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    try:
        run_models(a, tools, work, outdir, log, counts, reasons, ops, shapes,
                   failures)
    except KeyboardInterrupt:
        log("interrupted: summary of the models run so far")
    shapes_in, shapes_out = shapes
    dt = time.time() - t0
    compiled = counts["ok"] + counts["mismatch"] + counts["runtime-crash"]
    summary = {
        "seed": a.seed, "start": a.start, "count": a.count,
        "generated": counts["generated"], "compiled": compiled,
        "ok": counts["ok"], "refused": counts["refused"],
        "refused_by_reason": dict(reasons.most_common()),
        "invalid": counts["invalid"], "crash": counts["crash"],
        "mismatch": counts["mismatch"], "runtime_crash": counts["runtime-crash"],
        "internal_error": counts["internal-error"],
        "shapes_compared_in_range": shapes_in,
        "shapes_checked_out_of_range": shapes_out,
        "ops": dict(ops.most_common()),
        "seconds": round(dt, 1),
        "models_per_minute": round(60 * counts["generated"] / max(dt, 1e-9), 1),
        "failures": failures,
    }
    log(json.dumps(summary, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1)
    if not a.keep and not a.work and not failures:
        shutil.rmtree(work, ignore_errors=True)
    bad = counts["crash"] + counts["mismatch"] + counts["runtime-crash"] + \
        counts["invalid"] + counts["internal-error"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
