#!/usr/bin/env python3
"""Writes the example GPT-style decoder as a tensor-level MLIR template.

    gen_decoder.py [--layers 2 --d 256 --heads 4 --ffn 1024 --vocab 2048
                    --capacity 1024] [--cache state|concat]
                   [--prefill-buckets 'prompt=...'] [--decode-buckets 'len=...']
                   -o decoder.mlir.in

The output is a template: every weight is a placeholder
`dense<"@WEIGHT:<name>:<scale>[:<mean>]@">` that bucket-gen-weights
(examples/encoder/gen_weights.cpp) fills with deterministic values seeded
from the name alone, so two templates of the same sizes get the same
weights whatever else they contain.

Architecture (GPT-2, pre-LayerNorm, learned positions, separate LM head):
    x = wte[id] + wpe[position]
    per layer:  x = x + Wo · Attention(LN1(x))     causal, H heads of d/H
                x = x + W2 · GELU(W1 · LN2(x) + b1) + b2
    logits = LN_f(x_last) · W_lm

Two ways to keep the keys and values (`--cache`):

  state   (the example) one KV cache tensor<L x 2 x H x C x Dh> of capacity C,
          an argument marked {bucket.state, bucket.tied_result = 1}:
            @prefill(ids: ?xi64 "prompt", cache) -> (logits, cache)
                writes the prompt's K/V at [0, P), reads nothing from it;
            @decode(id: 1xi64, cache, positions: ?xi64 "len") -> (logits, cache)
                writes the new K/V at len - 1 and attends over cache[0, len).
  concat  (the reference of test/e2e) the same model with a growing cache,
          tensor<L x 2 x H x ? x Dh>, that nothing buckets:
            @ref_prefill(ids) -> (logits, cache of P entries);
            @ref_decode(id, past of len - 1 entries) -> (logits, cache of len)
                with tensor.concat of the past keys/values and the new ones.

Both variants emit the ops of every computation in the same order, so the
only differences between them are the cache's layout and the padding.
This script is a generator for the build; nothing in the compiler or the
runtime depends on Python.
"""

import argparse
import sys


class Model:
    """Sizes, and the MLIR snippets shared by every function."""

    def __init__(self, a):
        self.L, self.D, self.H, self.F = a.layers, a.d, a.heads, a.ffn
        self.V, self.C = a.vocab, a.capacity
        if self.D % self.H:
            sys.exit("gen_decoder: --d must be a multiple of --heads")
        self.Dh = self.D // self.H
        self.lines = []

    def emit(self, text):
        self.lines.extend(text.strip("\n").split("\n"))

    def t(self, *dims, elt="f32"):
        return "tensor<" + "x".join(str(d) for d in dims) + f"x{elt}>"

    # --- Weights ----------------------------------------------------------
    def weights(self, layer=None):
        """Declares the weights used by one layer (or the embeddings and head)
        in the current function. Scales ~ 1/sqrt(fan_in) keep activations O(1)."""
        D, F, V, C = self.D, self.F, self.V, self.C
        if layer is None:
            specs = [("wte", "emb.wte:1.0", (V, D)), ("wpe", "emb.wpe:0.5", (C, D)),
                     ("lnf_g", "lnf.gamma:0.05:1.0", (D,)), ("lnf_b", "lnf.beta:0.02", (D,)),
                     ("wlm", "lm_head:0.0625", (D, V))]
            prefix = ""
        else:
            specs = [("ln1_g", "ln1.gamma:0.05:1.0", (D,)), ("ln1_b", "ln1.beta:0.02", (D,))]
            for p in "qkvo":
                specs += [(f"w{p}", f"attn.w{p}:0.0625", (D, D)), (f"b{p}", f"attn.b{p}:0.02", (D,))]
            specs += [("ln2_g", "ln2.gamma:0.05:1.0", (D,)), ("ln2_b", "ln2.beta:0.02", (D,)),
                      ("w1", "ffn.w1:0.0625", (D, F)), ("b1", "ffn.b1:0.02", (F,)),
                      ("w2", "ffn.w2:0.03125", (F, D)), ("b2", "ffn.b2:0.02", (D,))]
            prefix = f"l{layer}_"
        for name, placeholder, shape in specs:
            full = placeholder if layer is None else f"l{layer}.{placeholder}"
            self.emit(f'  %{prefix}{name} = arith.constant dense<"@WEIGHT:{full}@"> : {self.t(*shape)}')

    # --- Row-wise building blocks on x : tensor<R x N> --------------------
    def empty(self, rows, *dims):
        dyn = "%n" if rows == "?" else ""
        return f"tensor.empty({dyn}) : {self.t(rows, *dims)}"

    def layernorm(self, out, x, rows, g, b):
        """out = (x - mean) / sqrt(var + 1e-5) * g + b over the D features."""
        D, tr, trd = self.D, self.t(rows), self.t(rows, self.D)
        self.emit(f"""
  %{out}_e = {self.empty(rows)}
  %{out}_z = linalg.fill ins(%zero : f32) outs(%{out}_e : {tr}) -> {tr}
  %{out}_sum = linalg.generic {{indexing_maps = [#rd, #r_rd], iterator_types = ["parallel", "reduction"]}}
      ins(%{x} : {trd}) outs(%{out}_z : {tr}) {{
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  }} -> {tr}
  %{out}_sq = linalg.generic {{indexing_maps = [#rd, #r_rd, #r_rd], iterator_types = ["parallel", "reduction"]}}
      ins(%{x}, %{out}_sum : {trd}, {tr}) outs(%{out}_z : {tr}) {{
  ^bb0(%x: f32, %sum: f32, %acc: f32):
    %mean = arith.divf %sum, %d_model : f32
    %c = arith.subf %x, %mean : f32
    %cc = arith.mulf %c, %c : f32
    %r = arith.addf %acc, %cc : f32
    linalg.yield %r : f32
  }} -> {tr}
  %{out}_ed = {self.empty(rows, D)}
  %{out} = linalg.generic {{indexing_maps = [#rd, #r_rd, #r_rd, #d_rd, #d_rd, #rd], iterator_types = ["parallel", "parallel"]}}
      ins(%{x}, %{out}_sum, %{out}_sq, %{g}, %{b} : {trd}, {tr}, {tr}, {self.t(D)}, {self.t(D)})
      outs(%{out}_ed : {trd}) {{
  ^bb0(%x: f32, %sum: f32, %sq: f32, %g: f32, %b: f32, %o: f32):
    %mean = arith.divf %sum, %d_model : f32
    %var = arith.divf %sq, %d_model : f32
    %ve = arith.addf %var, %ln_eps : f32
    %rstd = math.rsqrt %ve : f32
    %c = arith.subf %x, %mean : f32
    %nrm = arith.mulf %c, %rstd : f32
    %ng = arith.mulf %nrm, %g : f32
    %y = arith.addf %ng, %b : f32
    linalg.yield %y : f32
  }} -> {trd}""")

    def linear(self, out, x, rows, k, n, w, b=None):
        """out = x · w (+ b): the bias broadcast is the accumulator."""
        tn = self.t(rows, n)
        self.emit(f"  %{out}_e = {self.empty(rows, n)}")
        if b is None:
            self.emit(f"  %{out}_acc = linalg.fill ins(%zero : f32) outs(%{out}_e : {tn}) -> {tn}")
        else:
            self.emit(f"  %{out}_acc = linalg.broadcast ins(%{b} : {self.t(n)}) outs(%{out}_e : {tn}) dimensions = [0]")
        self.emit(f"""
  %{out} = linalg.matmul ins(%{x}, %{w} : {self.t(rows, k)}, {self.t(k, n)})
      outs(%{out}_acc : {tn}) -> {tn}""")

    def add(self, out, a, b, rows):
        trd = self.t(rows, self.D)
        self.emit(f"""
  %{out}_e = {self.empty(rows, self.D)}
  %{out} = linalg.add ins(%{a}, %{b} : {trd}, {trd}) outs(%{out}_e : {trd}) -> {trd}""")

    def gelu(self, out, x, rows):
        """GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
        tf = self.t(rows, self.F)
        self.emit(f"""
  %{out}_e = {self.empty(rows, self.F)}
  %{out} = linalg.generic {{indexing_maps = [#rd, #rd], iterator_types = ["parallel", "parallel"]}}
      ins(%{x} : {tf}) outs(%{out}_e : {tf}) {{
  ^bb0(%x: f32, %o: f32):
    %xx = arith.mulf %x, %x : f32
    %xxx = arith.mulf %xx, %x : f32
    %ax3 = arith.mulf %gelu_a, %xxx : f32
    %in = arith.addf %x, %ax3 : f32
    %arg = arith.mulf %gelu_c, %in : f32
    %th = math.tanh %arg : f32
    %oth = arith.addf %one, %th : f32
    %hx = arith.mulf %half, %x : f32
    %g = arith.mulf %hx, %oth : f32
    linalg.yield %g : f32
  }} -> {tf}""")

    def embed(self, out, ids, rows, position):
        """out[r] = wte[clamp(id[r])] + wpe[clamp(position)]; `position` is
        an index SSA value or None for the row index (the prompt)."""
        trd = self.t(rows, self.D)
        pos = "%p" if position is None else position
        row_index = "    %p = linalg.index 0 : index\n" if position is None else ""
        self.emit(f"""
  %{out}_e = {self.empty(rows, self.D)}
  %{out} = linalg.generic {{indexing_maps = [#r_rd, #rd], iterator_types = ["parallel", "parallel"]}}
      ins(%{ids} : {self.t(rows, elt="i64")}) outs(%{out}_e : {trd}) {{
  ^bb0(%tok: i64, %o: f32):
    %lo = arith.maxsi %tok, %id_min : i64
    %ok = arith.minsi %lo, %id_max : i64
    %row = arith.index_cast %ok : i64 to index
{row_index}    %pc = arith.minsi {pos}, %pos_max : index
    %d = linalg.index 1 : index
    %w = tensor.extract %wte[%row, %d] : {self.t(self.V, self.D)}
    %pe = tensor.extract %wpe[%pc, %d] : {self.t(self.C, self.D)}
    %e = arith.addf %w, %pe : f32
    linalg.yield %e : f32
  }} -> {trd}""")

    def mlp(self, p, x, rows):
        """Returns the name of x + W2 · GELU(W1 · LN2(x) + b1) + b2."""
        D, F = self.D, self.F
        self.layernorm(f"{p}h2", x, rows, f"{p}ln2_g", f"{p}ln2_b")
        self.linear(f"{p}ff1", f"{p}h2", rows, D, F, f"{p}w1", f"{p}b1")
        self.gelu(f"{p}act", f"{p}ff1", rows)
        self.linear(f"{p}ff2", f"{p}act", rows, F, D, f"{p}w2", f"{p}b2")
        self.add(f"{p}x2", x, f"{p}ff2", rows)
        return f"{p}x2"

    def head(self, x_last):
        """logits : tensor<V> = LN_f(x_last) · W_lm, x_last : tensor<1 x D>."""
        self.layernorm("xf", x_last, 1, "lnf_g", "lnf_b")
        self.linear("lg", "xf", 1, self.D, self.V, "wlm")
        self.emit(f"  %logits = tensor.collapse_shape %lg [[0, 1]] : {self.t(1, self.V)} into {self.t(self.V)}")

    def prologue(self):
        D, C, V = self.D, self.C, self.V
        self.emit(f"""
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %d_model = arith.constant {float(D)!r} : f32
  %ln_eps = arith.constant 1.0e-5 : f32
  %scale = arith.constant {1.0 / self.Dh ** 0.5!r} : f32
  %gelu_c = arith.constant 0.7978845608 : f32
  %gelu_a = arith.constant 0.044715 : f32
  %id_min = arith.constant 0 : i64
  %id_max = arith.constant {V - 1} : i64
  %pos_max = arith.constant {C - 1} : index""")
        self.weights()

    # --- Attention --------------------------------------------------------
    def prefill_attention(self, p, h):
        """Causal self-attention over the prompt. Returns the names of the
        context [n, D] and of the keys and values as [H, n, Dh]."""
        D, H, Dh = self.D, self.H, self.Dh
        for w in "qkv":
            self.linear(f"{p}{w}", h, "?", D, D, f"{p}w{w}", f"{p}b{w}")
            self.emit(f"""
  %{p}{w}_s = tensor.expand_shape %{p}{w} [[0], [1, 2]] output_shape [%n, {H}, {Dh}] : {self.t('?', D)} into {self.t('?', H, Dh)}
  %{p}{w}_he = tensor.empty(%n) : {self.t(H, '?', Dh)}
  %{p}{w}_h = linalg.transpose ins(%{p}{w}_s : {self.t('?', H, Dh)}) outs(%{p}{w}_he : {self.t(H, '?', Dh)}) permutation = [1, 0, 2]""")
        thd, thqk, thq = self.t(H, "?", Dh), self.t(H, "?", "?"), self.t(H, "?")
        self.emit(f"""
  %{p}kt_e = tensor.empty(%n) : {self.t(H, Dh, '?')}
  %{p}kt = linalg.transpose ins(%{p}k_s : {self.t('?', H, Dh)}) outs(%{p}kt_e : {self.t(H, Dh, '?')}) permutation = [1, 2, 0]
  %{p}qk_e = tensor.empty(%n, %n) : {thqk}
  %{p}qk_z = linalg.fill ins(%zero : f32) outs(%{p}qk_e : {thqk}) -> {thqk}
  %{p}qk = linalg.batch_matmul ins(%{p}q_h, %{p}kt : {thd}, {self.t(H, Dh, '?')}) outs(%{p}qk_z : {thqk}) -> {thqk}
  %{p}sc = linalg.generic {{indexing_maps = [#hqk, #hqk], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}qk : {thqk}) outs(%{p}qk_e : {thqk}) {{
  ^bb0(%s: f32, %o: f32):
    %q = linalg.index 1 : index
    %k = linalg.index 2 : index
    %causal = arith.cmpi ule, %k, %q : index
    %ss = arith.mulf %s, %scale : f32
    %m = arith.select %causal, %ss, %ninf : f32
    linalg.yield %m : f32
  }} -> {thqk}
  %{p}r_e = tensor.empty(%n) : {thq}
  %{p}mx_i = linalg.fill ins(%ninf : f32) outs(%{p}r_e : {thq}) -> {thq}
  %{p}mx = linalg.generic {{indexing_maps = [#hqk, #hq], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%{p}sc : {thqk}) outs(%{p}mx_i : {thq}) {{
  ^bb0(%s: f32, %acc: f32):
    %m = arith.maximumf %acc, %s : f32
    linalg.yield %m : f32
  }} -> {thq}
  %{p}ex = linalg.generic {{indexing_maps = [#hqk, #hq, #hqk], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}sc, %{p}mx : {thqk}, {thq}) outs(%{p}qk_e : {thqk}) {{
  ^bb0(%s: f32, %m: f32, %o: f32):
    %d = arith.subf %s, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  }} -> {thqk}
  %{p}den_z = linalg.fill ins(%zero : f32) outs(%{p}r_e : {thq}) -> {thq}
  %{p}den = linalg.generic {{indexing_maps = [#hqk, #hq], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%{p}ex : {thqk}) outs(%{p}den_z : {thq}) {{
  ^bb0(%e: f32, %acc: f32):
    %r = arith.addf %acc, %e : f32
    linalg.yield %r : f32
  }} -> {thq}
  %{p}pr = linalg.generic {{indexing_maps = [#hqk, #hq, #hqk], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}ex, %{p}den : {thqk}, {thq}) outs(%{p}qk_e : {thqk}) {{
  ^bb0(%e: f32, %d: f32, %o: f32):
    %r = arith.divf %e, %d : f32
    linalg.yield %r : f32
  }} -> {thqk}
  %{p}ctx_z = linalg.fill ins(%zero : f32) outs(%{p}q_he : {thd}) -> {thd}
  %{p}ctx_h = linalg.batch_matmul ins(%{p}pr, %{p}v_h : {thqk}, {thd}) outs(%{p}ctx_z : {thd}) -> {thd}
  %{p}ctx_se = tensor.empty(%n) : {self.t('?', H, Dh)}
  %{p}ctx_s = linalg.transpose ins(%{p}ctx_h : {thd}) outs(%{p}ctx_se : {self.t('?', H, Dh)}) permutation = [1, 0, 2]
  %{p}ctx = tensor.collapse_shape %{p}ctx_s [[0], [1, 2]] : {self.t('?', H, Dh)} into {self.t('?', D)}""")
        return f"{p}ctx", f"{p}k_h", f"{p}v_h"

    def decode_qkv(self, p, h):
        """The new token's k and v as [H, 1, Dh] (the cache's layout), and q
        scaled by 1/sqrt(Dh) as [H, Dh]."""
        D, H, Dh = self.D, self.H, self.Dh
        for w in "qkv":
            self.linear(f"{p}{w}", h, 1, D, D, f"{p}w{w}", f"{p}b{w}")
            self.emit(f"  %{p}{w}_d = tensor.collapse_shape %{p}{w} [[0, 1]] : {self.t(1, D)} into {self.t(D)}")
            shape, out = ([H, Dh], "q_h") if w == "q" else ([H, 1, Dh], f"{w}_h")
            groups = ", ".join(str(i) for i in range(len(shape)))
            self.emit(f"  %{p}{out} = tensor.expand_shape %{p}{w}_d [[{groups}]] output_shape {shape} : {self.t(D)} into {self.t(*shape)}")
        thd = self.t(H, Dh)
        self.emit(f"""
  %{p}qs_e = tensor.empty() : {thd}
  %{p}qs = linalg.generic {{indexing_maps = [#hj, #hj], iterator_types = ["parallel", "parallel"]}}
      ins(%{p}q_h : {thd}) outs(%{p}qs_e : {thd}) {{
  ^bb0(%q: f32, %o: f32):
    %s = arith.mulf %q, %scale : f32
    linalg.yield %s : f32
  }} -> {thd}""")

    def decode_attention(self, p, keys, values):
        """Attention of the new token's query over keys and values [H, len, Dh]
        (len = %len). Returns the name of the context [1, D]."""
        D, H, Dh = self.D, self.H, self.Dh
        tkv, ths, th = self.t(H, "?", Dh), self.t(H, "?"), self.t(H)
        thd = self.t(H, Dh)
        self.emit(f"""
  %{p}s_e = tensor.empty(%len) : {ths}
  %{p}s_z = linalg.fill ins(%zero : f32) outs(%{p}s_e : {ths}) -> {ths}
  %{p}s = linalg.generic {{indexing_maps = [#hjd_k, #hjd_q, #hjd_s], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%{keys}, %{p}qs : {tkv}, {thd}) outs(%{p}s_z : {ths}) {{
  ^bb0(%k: f32, %q: f32, %acc: f32):
    %m = arith.mulf %k, %q : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  }} -> {ths}
  %{p}r_e = tensor.empty() : {th}
  %{p}mx_i = linalg.fill ins(%ninf : f32) outs(%{p}r_e : {th}) -> {th}
  %{p}mx = linalg.generic {{indexing_maps = [#hj, #hj_h], iterator_types = ["parallel", "reduction"]}}
      ins(%{p}s : {ths}) outs(%{p}mx_i : {th}) {{
  ^bb0(%s: f32, %acc: f32):
    %m = arith.maximumf %acc, %s : f32
    linalg.yield %m : f32
  }} -> {th}
  %{p}ex = linalg.generic {{indexing_maps = [#hj, #hj_h, #hj], iterator_types = ["parallel", "parallel"]}}
      ins(%{p}s, %{p}mx : {ths}, {th}) outs(%{p}s_e : {ths}) {{
  ^bb0(%s: f32, %m: f32, %o: f32):
    %d = arith.subf %s, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  }} -> {ths}
  %{p}den_z = linalg.fill ins(%zero : f32) outs(%{p}r_e : {th}) -> {th}
  %{p}den = linalg.generic {{indexing_maps = [#hj, #hj_h], iterator_types = ["parallel", "reduction"]}}
      ins(%{p}ex : {ths}) outs(%{p}den_z : {th}) {{
  ^bb0(%e: f32, %acc: f32):
    %r = arith.addf %acc, %e : f32
    linalg.yield %r : f32
  }} -> {th}
  %{p}o_e = tensor.empty() : {thd}
  %{p}o_z = linalg.fill ins(%zero : f32) outs(%{p}o_e : {thd}) -> {thd}
  %{p}o = linalg.generic {{indexing_maps = [#hjd_s, #hjd_k, #hjd_q], iterator_types = ["parallel", "reduction", "parallel"]}}
      ins(%{p}ex, %{values} : {ths}, {tkv}) outs(%{p}o_z : {thd}) {{
  ^bb0(%e: f32, %v: f32, %acc: f32):
    %m = arith.mulf %e, %v : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  }} -> {thd}
  %{p}ctx_h = linalg.generic {{indexing_maps = [#hj, #hj_h, #hj], iterator_types = ["parallel", "parallel"]}}
      ins(%{p}o, %{p}den : {thd}, {th}) outs(%{p}o_e : {thd}) {{
  ^bb0(%o: f32, %d: f32, %x: f32):
    %r = arith.divf %o, %d : f32
    linalg.yield %r : f32
  }} -> {thd}
  %{p}ctx_d = tensor.collapse_shape %{p}ctx_h [[0, 1]] : {thd} into {self.t(D)}
  %{p}ctx = tensor.expand_shape %{p}ctx_d [[0, 1]] output_shape [1, {D}] : {self.t(D)} into {self.t(1, D)}""")
        return f"{p}ctx"


MAPS = """
#rd    = affine_map<(r, d) -> (r, d)>
#r_rd  = affine_map<(r, d) -> (r)>
#d_rd  = affine_map<(r, d) -> (d)>
#hqk   = affine_map<(h, q, k) -> (h, q, k)>
#hq    = affine_map<(h, q, k) -> (h, q)>
#hjd_k = affine_map<(h, j, d) -> (h, j, d)>
#hjd_q = affine_map<(h, j, d) -> (h, d)>
#hjd_s = affine_map<(h, j, d) -> (h, j)>
#hj    = affine_map<(h, j) -> (h, j)>
#hj_h  = affine_map<(h, j) -> (h)>
"""


def cache_type(m, length):
    return m.t(m.L, 2, m.H, length, m.Dh)


def attention_out(m, p, x, rows, ctx):
    """x + Wo · ctx + bo."""
    m.linear(f"{p}att", ctx, rows, m.D, m.D, f"{p}wo", f"{p}bo")
    m.add(f"{p}x1", x, f"{p}att", rows)
    return f"{p}x1"


def store_rows(m, kvs, cache, ct):
    """Writes the prompt's keys and values of every layer ((k, v) names, each
    [H, n, Dh]) into the state, one position at a time in one loop over the
    prompt length: in a bucket the loop runs to the real length (the
    dispatcher passes it), so the padded positions are never written (a
    slice of n rows would write the bucket's rows, past the valid length,
    which the padding analysis refuses)."""
    H, Dh = m.H, m.Dh
    row, src = m.t(H, 1, Dh), m.t(H, "?", Dh)
    m.emit(f"  %stored = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %{cache}) -> ({ct}) {{")
    acc = "acc"
    for l, kv in enumerate(kvs):
        for i, name in enumerate(kv):
            m.emit(f"""
    %row{l}{i} = tensor.extract_slice %{name}[0, %i, 0] [{H}, 1, {Dh}] [1, 1, 1] : {src} to {row}
    %put{l}{i} = tensor.insert_slice %row{l}{i} into %{acc}[{l}, {i}, 0, %i, 0] [1, 1, {H}, 1, {Dh}] [1, 1, 1, 1, 1] : {row} into {ct}""")
            acc = f"put{l}{i}"
    m.emit(f"    scf.yield %{acc} : {ct}\n  }}")
    return "stored"


def prefill(m, state, buckets):
    """@prefill / @ref_prefill: the prompt's logits at its last position and
    the keys and values of every prompt position."""
    D, H, Dh, C = m.D, m.H, m.Dh, m.C
    ct = cache_type(m, C if state else "?")
    name = "prefill" if state else "ref_prefill"
    args = "%ids: tensor<?xi64> {bucket.dims = [\"prompt\"]}"
    if state:
        args += f", %cache: {ct} {{bucket.state, bucket.tied_result = 1 : i64}}"
    attrs = "llvm.emit_c_interface" + (f', bucket.buckets = "{buckets}"' if buckets else "")
    m.emit(f"func.func @{name}({args}) -> ({m.t(m.V)}, {ct}) attributes {{{attrs}}} {{")
    m.prologue()
    m.emit("  %n = tensor.dim %ids, %c0 : tensor<?xi64>")
    if not state:
        m.emit(f"  %cache_e = tensor.empty(%n) : {ct}")
    cache = "cache" if state else "cache_e"
    x = "x0"
    kvs = []
    m.embed(x, "ids", "?", None)
    for l in range(m.L):
        p = f"l{l}_"
        m.weights(l)
        m.layernorm(f"{p}h1", x, "?", f"{p}ln1_g", f"{p}ln1_b")
        ctx, k, v = m.prefill_attention(p, f"{p}h1")
        # The prompt's keys and values go to positions [0, n) of the cache.
        kvs.append((k, v))
        if not state:
            for i, kv in enumerate((k, v)):
                m.emit(f"  %{p}c{i} = tensor.insert_slice %{kv} into %{cache}[{l}, {i}, 0, 0, 0] [1, 1, {H}, %n, {Dh}] [1, 1, 1, 1, 1] : {m.t(H, '?', Dh)} into {ct}")
                cache = f"{p}c{i}"
        x = attention_out(m, p, x, "?", ctx)
        x = m.mlp(p, x, "?")
    if state:
        cache = store_rows(m, kvs, cache, ct)
    # Only the last position's logits are needed: its row, then the head.
    m.emit(f"""
  %last = arith.subi %n, %c1 : index
  %x_last = tensor.extract_slice %{x}[%last, 0] [1, {D}] [1, 1] : {m.t('?', D)} to {m.t(1, D)}""")
    m.head("x_last")
    m.emit(f"  return %logits, %{cache} : {m.t(m.V)}, {ct}\n}}\n")


def decode(m, state, buckets):
    """@decode / @ref_decode: one new token at position len - 1."""
    D, H, Dh, C = m.D, m.H, m.Dh, m.C
    name = "decode" if state else "ref_decode"
    if state:
        ct = cache_type(m, C)
        args = (f"%id: tensor<1xi64>, %cache: {ct} {{bucket.state, bucket.tied_result = 1 : i64}}, "
                "%positions: tensor<?xi64> {bucket.dims = [\"len\"]}")
    else:
        ct = cache_type(m, "?")
        args = f"%id: tensor<1xi64>, %past: {ct}"
    attrs = "llvm.emit_c_interface" + (f', bucket.buckets = "{buckets}"' if buckets else "")
    m.emit(f"func.func @{name}({args}) -> ({m.t(m.V)}, {ct}) attributes {{{attrs}}} {{")
    m.prologue()
    if state:
        m.emit("""
  %len = tensor.dim %positions, %c0 : tensor<?xi64>
  %pos = arith.subi %len, %c1 : index""")
    else:
        m.emit(f"""
  %c3 = arith.constant 3 : index
  %pos = tensor.dim %past, %c3 : {ct}
  %len = arith.addi %pos, %c1 : index
  %new_e = tensor.empty() : {cache_type(m, 1)}""")
    cache = "cache" if state else "new_e"
    x = "x0"
    m.embed(x, "id", 1, "%pos")
    for l in range(m.L):
        p = f"l{l}_"
        m.weights(l)
        m.layernorm(f"{p}h1", x, 1, f"{p}ln1_g", f"{p}ln1_b")
        m.decode_qkv(p, f"{p}h1")
        kv = []
        for i, w in enumerate("kv"):
            if state:
                # Write the new entry at len - 1, then read [0, len) back.
                m.emit(f"""
  %{p}c{i} = tensor.insert_slice %{p}{w}_h into %{cache}[{l}, {i}, 0, %pos, 0] [1, 1, {H}, 1, {Dh}] [1, 1, 1, 1, 1] : {m.t(H, 1, Dh)} into {ct}
  %{p}{w}_all = tensor.extract_slice %{p}c{i}[{l}, {i}, 0, 0, 0] [1, 1, {H}, %len, {Dh}] [1, 1, 1, 1, 1] : {ct} to {m.t(H, '?', Dh)}""")
                cache = f"{p}c{i}"
            else:
                # The past entries of this layer, then the new one after them.
                m.emit(f"""
  %{p}{w}_past = tensor.extract_slice %past[{l}, {i}, 0, 0, 0] [1, 1, {H}, %pos, {Dh}] [1, 1, 1, 1, 1] : {ct} to {m.t(H, '?', Dh)}
  %{p}{w}_all = tensor.concat dim(1) %{p}{w}_past, %{p}{w}_h : ({m.t(H, '?', Dh)}, {m.t(H, 1, Dh)}) -> {m.t(H, '?', Dh)}
  %{p}c{i} = tensor.insert_slice %{p}{w}_h into %{cache}[{l}, {i}, 0, 0, 0] [1, 1, {H}, 1, {Dh}] [1, 1, 1, 1, 1] : {m.t(H, 1, Dh)} into {cache_type(m, 1)}""")
                cache = f"{p}c{i}"
            kv.append(f"{p}{w}_all")
        ctx = m.decode_attention(p, *kv)
        x = attention_out(m, p, x, 1, ctx)
        x = m.mlp(p, x, 1)
    m.head(x)
    if not state:
        m.emit(f"  %grown = tensor.concat dim(3) %past, %{cache} : ({ct}, {cache_type(m, 1)}) -> {ct}")
        cache = "grown"
    m.emit(f"  return %logits, %{cache} : {m.t(m.V)}, {ct}\n}}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--capacity", type=int, default=1024)
    ap.add_argument("--cache", choices=["state", "concat"], default="state")
    ap.add_argument("--prefill-buckets", default="")
    ap.add_argument("--decode-buckets", default="")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    m = Model(a)
    state = a.cache == "state"
    m.emit(f"// Generated by examples/decoder/gen_decoder.py ({' '.join(sys.argv[1:])}).")
    m.emit(f"// GPT-style decoder: {m.L} layers, d {m.D}, {m.H} heads of {m.Dh}, "
           f"MLP {m.F}, vocab {m.V}, KV cache capacity {m.C}.")
    m.emit(MAPS)
    prefill(m, state, a.prefill_buckets)
    decode(m, state, a.decode_buckets)
    with open(a.output, "w") as f:
        f.write("\n".join(m.lines) + "\n")


if __name__ == "__main__":
    main()
