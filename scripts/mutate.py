#!/usr/bin/python3
"""Mutation testing: does the suite catch realistic bugs in the compiler?

Applies each mutant of MUTANTS (a file, a snippet that occurs exactly once
in it, its replacement) one at a time to a scratch clone of the repository,
rebuilds there with one job, runs the tests relevant to the file, and
reports each mutant killed (a test failed), survived (every test passed) or
stillborn (it does not compile; not counted). The score is
killed / (killed + survived).

It never touches the source tree it is run from: it works in its own clone.

  /usr/bin/python3 scripts/mutate.py [--work /tmp/mutate-work] [--only ID,..]
      [--list] [--json FILE]

--work is created with `git clone <this repository>` and configured (Release,
clang-22, lld, the ONNX importer when libonnx-dev is found: the importer's
mutants need it) on first use; the clone's committed state is what is
mutated, so commit (or clone from) the state you want to test, or copy new
tests into the clone.
Each mutant's file is restored from git before the next one (and on exit).
"""

import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import time

LIT = "/usr/lib/llvm-22/bin/lit"

# The tests each area runs; lit stops at the first failure.
LIT_COMPILER = ["test/Analysis", "test/Transforms", "test/Pipeline",
                "test/e2e"]
AREAS = {
    "analysis": {"targets": ["bucket-opt", "bucket-compile",
                             "bucket-e2e-compare", "BucketAnalysisTests"],
                 "gtest": ["test/unittests/Analysis/BucketAnalysisTests"],
                 "lit": LIT_COMPILER},
    "transforms": {"targets": ["bucket-opt", "bucket-compile",
                               "bucket-e2e-compare"],
                   "gtest": [], "lit": LIT_COMPILER},
    "runtime": {"targets": ["bucket_runtime", "bucket_runtime_shared",
                            "BucketRuntimeTests", "bucket-e2e-compare"],
                "gtest": ["test/unittests/Runtime/BucketRuntimeTests"],
                "lit": ["test/e2e"]},
    "spec": {"targets": ["bucket-opt", "bucket-compile", "BucketSpecTests"],
             "gtest": ["test/unittests/Spec/BucketSpecTests"],
             "lit": ["test/Pipeline", "test/Transforms", "test/e2e"]},
    # The object and header emission: the compiler's own tests of its output,
    # then the programs that call it.
    "target": {"targets": ["bucket-opt", "bucket-compile",
                           "bucket-e2e-compare", "bucket_runtime",
                           "bucket_runtime_shared"],
               "gtest": [], "lit": ["test/Target", "test/e2e"]},
    # The ONNX importer (the build must find libonnx-dev): the text models
    # and the backend node tests first, then the PyTorch exports; the CNN and
    # GPT exports are left out (minutes each on two cores, and no op of their
    # own that the node tests lack).
    "onnx": {"targets": ["bucket-import-onnx", "bucket-compile",
                         "bucket-onnx-node-tests", "bucket_runtime_shared"],
             "gtest": [],
             "lit": ["test/Onnx/node-tests.test", "test/Onnx/*.onnxtxt",
                     "test/Onnx/new-ops-invalid.test",
                     "test/Onnx/external-data-invalid.test",
                     "test/Onnx/pytorch-models.test",
                     "test/Onnx/pytorch-encoder.test"]},
}


def M(ident, path, old, new, what, first=()):
    """A mutant; `first` names the tests (paths under test/, or patterns)
    most likely to catch it, run before the area's suite."""
    area = ("runtime" if path.startswith("runtime/") else
            "spec" if path.startswith("lib/Spec/") else
            "analysis" if path.startswith("lib/Analysis/") else
            "target" if path.startswith("lib/Target/") else
            "onnx" if path.startswith("lib/Onnx/") else "transforms")
    return {"id": ident, "file": path, "old": old, "new": new, "what": what,
            "area": area, "first": list(first)}


LAT = "lib/Analysis/PaddingLattice.cpp"
ANA = "lib/Analysis/PaddingAnalyzer.cpp"
BODY = "lib/Analysis/PaddingBodyEvaluator.cpp"
PAD = "lib/Analysis/PaddingAnalysis.cpp"
DIMS = "lib/Analysis/DimensionAnalysis.cpp"
SPEC = "lib/Transforms/Specialize.cpp"
DISP = "lib/Transforms/Dispatch.cpp"
BSPEC = "lib/Spec/BucketSpec.cpp"
FN = "runtime/lib/function.c"
TEN = "runtime/lib/tensor.c"
INV = "runtime/lib/invoke.c"
CG = "lib/Transforms/Codegen.cpp"
BP = "lib/Transforms/BufferPlan.cpp"
HDR = "lib/Target/HeaderEmitter.cpp"
DESC = "lib/Target/ModelDescription.cpp"
ONNX = "lib/Onnx/OnnxImporter.cpp"
CG_TEST = "test/Transforms/bucket-tile-and-vectorize.mlir"
BP_FIRST = ["test/Transforms/bucket-plan-buffers*.mlir", "test/e2e/encoder.test"]
HDR_FIRST = ["test/Target/bucket-compile-header*.mlir",
             "test/e2e/header-call.test"]

MUTANTS = [
    # The padding lattice: neutral elements and the mask rule.
    M("lat-add-neutral", LAT, "[&](auto) { return f(APFloat::getZero(sem)); })",
      "[&](auto) { return f(APFloat::getOne(sem)); })",
      "addf's neutral element is 1"),
    M("lat-mul-neutral", LAT,
      ".Case<arith::MulFOp>([&](auto) { return f(APFloat::getOne(sem)); })",
      ".Case<arith::MulFOp>([&](auto) { return f(APFloat::getZero(sem)); })",
      "mulf's neutral element is 0"),
    M("lat-max-neutral", LAT,
      "[&](auto) { return f(APFloat::getInf(sem, /*Negative=*/true)); })",
      "[&](auto) { return f(APFloat::getInf(sem, /*Negative=*/false)); })",
      "max's neutral element is +inf"),
    M("lat-min-neutral", LAT,
      "[&](auto) { return f(APFloat::getInf(sem)); })",
      "[&](auto) { return f(APFloat::getInf(sem, /*Negative=*/true)); })",
      "min's neutral element is -inf"),
    M("lat-int-mul-neutral", LAT,
      ".Case<arith::MulIOp>([&](auto) { return i(APInt(w, 1)); })",
      ".Case<arith::MulIOp>([&](auto) { return i(APInt(w, 0)); })",
      "muli's neutral element is 0"),
    M("lat-mask-threshold", LAT, "f->convertToDouble() <= kMaskThreshold;",
      "f->convertToDouble() <= kMaskThreshold / 100;",
      "mask threshold weakened from -1e4 to -1e2"),
    M("lat-mask-any-combiner", LAT,
      "    return isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner);",
      "    return true;", "a masked value is neutral for any combiner"),
    M("lat-signed-zero", LAT, "      return v.isZero();",
      "      return true;", "any constant counts as a zero neutral element"),
    # The analyzer: sizes, slices, pads, reshapes.
    M("ana-mul-negative", ANA, "c.getSExtValue() > 0)", "c.getSExtValue() != 0)",
      "a padded size times a negative constant is followed"),
    M("ana-slice-to-end", ANA,
      "(*r)->offset == src.offset - *constOffset;",
      "(*r)->offset == src.offset;", "a slice reaching the end ignores its offset"),
    M("ana-slice-stops", ANA, "  if (!toTheEnd)\n    return cannotProve(",
      "  if (false)\n    return cannotProve(",
      "a slice stopping before the end of a padded dimension is accepted"),
    M("ana-slice-offset", ANA, "if (failed(o) || (*o && !realSizes) || *r)",
      "if (failed(o) || *r)",
      "a slice at an offset computed from a padded size is accepted"),
    M("ana-pad-high", ANA,
      "    if (*high && (!padAbstract ||",
      "    if (false && (!padAbstract ||",
      "tensor.pad at the end of a padded dimension is accepted"),
    M("ana-reshape-merge", ANA, "    if (!ok)\n      return cannotProve(op,\n"
      "                         \"a reshape that merges",
      "    if (false)\n      return cannotProve(op,\n"
      "                         \"a reshape that merges",
      "merging a padded dimension with outer ones is accepted"),
    M("ana-reshape-scale", ANA, "    padded->scale *= inner;", "",
      "a merged padded dimension keeps its scale"),
    M("ana-split-extract", ANA,
      "      blockSplit(d->cls, op, \"it reads one element of a tensor\");",
      "      (void)d;", "split is allowed through tensor.extract"),
    M("ana-split-merge", ANA, "    if (inner != 1)\n      blockSplit(",
      "    if (false)\n      blockSplit(", "split is allowed through a merge"),
    # The body evaluator: reductions and split blockers.
    M("body-reduction-skip", BODY,
      "      if (value.kind != Abstract::Acc)\n        return describeReduction",
      "      if (false)\n        return describeReduction",
      "padded reductions are never refused"),
    M("body-split-reduction", BODY,
      "      blockSplit(body.getLoopPad(l)->cls, op, \"it reduces over the "
      "dimension\");", "      (void)l;",
      "split is allowed along a reduced dimension"),
    M("body-split-index", BODY,
      "      blockSplit(loopPad->cls, op,\n"
      "                 \"its body depends on the position along the "
      "dimension\");", "      (void)loopPad;",
      "split is allowed for bodies that use linalg.index"),
    M("body-index-real", BODY,
      "      env[index] = Abstract::index(Abstract::PadIndex, "
      "loopPads[l]->cls,",
      "      env[index] = Abstract::index(Abstract::RealIndex, "
      "loopPads[l]->cls,",
      "a padded loop's index counts as a real position"),
    M("body-split-window", BODY,
      "      blockSplit((*src)[d]->cls, op, \"it reads neighbouring "
      "positions\");", "      (void)d;",
      "split is allowed for windows (neighbouring positions)"),
    # Sizes used as values.
    M("pad-size-intermediate", PAD,
      "    if (repairSizes && cls && !uses.notRepairable) {",
      "    if (repairSizes && !uses.notRepairable) {",
      "sizes of intermediate tensors count as repaired"),
    M("pad-size-skip", PAD, "    if (uses.sinks.empty())\n      return "
      "WalkResult::advance();",
      "    if (true)\n      return WalkResult::advance();",
      "sizes used as values are never checked"),
    # The dimension analysis.
    M("dims-conflict", DIMS,
      "    if (staticSize[a] && staticSize[b] && *staticSize[a] != "
      "*staticSize[b]) {",
      "    if (false) {", "conflicting static sizes are merged silently"),
    M("dims-static-root", DIMS,
      "    if (staticSize[b] && !staticSize[a])\n      std::swap(a, b);", "",
      "the static root is not kept"),
    M("dims-concat-all", DIMS, "    if (d == concat.getDim())\n      continue;",
      "", "concat unites the concatenated dimension too"),
    M("dims-expand-nonunit", DIMS,
      "      if (resultType.getDimSize(d) != 1)\n        nonUnit.push_back(d);",
      "      nonUnit.push_back(d);",
      "expand_shape does not see unit dimensions"),
    # Specialization.
    M("spec-alias-sizes", SPEC,
      "        if (prev->second.second != sizes)",
      "        if (false)", "aliases with different buckets are accepted"),
    M("spec-max-buckets", SPEC, "    if (numBuckets > maxBuckets)",
      "    if (numBuckets > maxBuckets * 1000)", "the bucket cap is not enforced"),
    M("spec-real-sizes", SPEC,
      "    if (!extent)\n      continue;",
      "    if (true)\n      continue;",
      "buckets read the padded sizes instead of the real ones"),
    # The dispatcher.
    M("disp-select-ult", DISP,
      "Value le = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule,",
      "Value le = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ult,",
      "a size equal to a bucket does not fit it"),
    M("disp-select-order", DISP,
      "    selected = arith::SelectOp::create(rewriter, loc, fits, index(i), "
      "selected);",
      "    selected = arith::SelectOp::create(rewriter, loc, fits, "
      "index(plan.rows.size() - 1 - i), selected);",
      "the selected row index is reversed"),
    M("disp-pad-zero", DISP,
      "    if (!padValue || padValue.getType() != elementType)",
      "    if (true)", "the chosen pad value is ignored (always 0)"),
    M("disp-truncate-one", DISP,
      "    args = sliceArgs(args, k, index(0), dims[k]);",
      "    args = sliceArgs(args, k, index(0), dims[k]);\n    break;",
      "truncation crops only the first truncated dimension"),
    M("disp-beyond-uge", DISP,
      "    beyond.push_back(arith::CmpIOp::create(rewriter, loc,\n"
      "                                           arith::CmpIPredicate::ugt,",
      "    beyond.push_back(arith::CmpIOp::create(rewriter, loc,\n"
      "                                           arith::CmpIPredicate::uge,",
      "a size equal to the largest bucket is 'beyond' it"),
    M("disp-error-dim", DISP,
      "    badDim = arith::SelectOp::create(rewriter, loc, beyond, i64(k), "
      "badDim);",
      "    badDim = arith::SelectOp::create(rewriter, loc, beyond, i64(0), "
      "badDim);", "the out-of-range report names dimension 0"),
    M("disp-error-empty", DISP,
      "                                                          : index(0));",
      "                                                          : "
      "cropSizes[nextDim]);",
      "out-of-range results keep their sizes"),
    M("disp-split-chunk", DISP,
      "        Value size = arith::MinUIOp::create(rewriter, loc, left, chunk);",
      "        Value size = chunk;", "the last split chunk is not shortened"),
    M("disp-selfcheck-contains", DISP,
      "              return plan.rows[j][k] >= plan.rows[i][k];",
      "              return true;",
      "self-check compares with a bucket that does not contain this one"),
    # Bucket specifications.
    M("bspec-select-lt", BSPEC,
      "          return std::get<1>(pair) <= std::get<0>(pair);",
      "          return std::get<1>(pair) < std::get<0>(pair);",
      "BucketTable::select: equal sizes do not fit"),
    M("bspec-increasing", BSPEC, "          tuple[0] <= group.tuples.back()[0])",
      "          tuple[0] < group.tuples.back()[0])",
      "duplicate bucket sizes are accepted"),
    M("bspec-zero", BSPEC, "    if (negative || value == 0)",
      "    if (negative)", "a bucket size of 0 is accepted"),
    M("bspec-max", BSPEC, "    max = std::max(max, row[dim]);",
      "    max = std::min(max, row[dim]);", "getMaxSize returns the minimum"),
    # The runtime.
    M("rt-select-gt", FN, "    while (k < fn->num_dims && row[k] >= dims[k])",
      "    while (k < fn->num_dims && row[k] > dims[k])",
      "bucket_function_select: equal sizes do not fit"),
    M("rt-positive", FN, "    if (dims[k] <= 0)", "    if (dims[k] < 0)",
      "bucket_function_select accepts size 0"),
    M("rt-dims-consistent", FN, "    } else if (dims[dim] != size) {",
      "    } else if (0) {",
      "arguments disagreeing on a symbolic dimension are accepted"),
    M("rt-static-shape", FN, "      if (size != info->shape[d])",
      "      if (0)", "a wrong static size is accepted"),
    M("rt-no-fits-max", FN, "      if (size > max_size)\n        max_size = size;",
      "", "the out-of-range status reports the first row's size as the largest"),
    M("rt-count-overflow", TEN, "    if (nonzero > INT64_MAX / shape[d])\n"
      "      return -1;", "", "element counts may overflow"),
    M("rt-strides", TEN, "    if (shape[d] != 1 && strides[d] != want[d]) {",
      "    if (0) {", "non-contiguous tensors are accepted"),
    M("rt-rank-check", FN, "  if (tensor->rank != info->rank)",
      "  if (0)", "a tensor of the wrong rank is accepted"),
    M("rt-free-alias", INV, "      if (states[j].allocated == state->allocated)",
      "      if (0)", "a result aliasing an earlier one is freed twice"),
    # Code generation: the contraction from a constant fill, packing, hoisting.
    M("cg-fill-k-tiled", CG, "  SmallVector<int64_t> tileSizes(sizes);\n"
      "  for (unsigned d : dims.k)\n    tileSizes[d] = 0;\n",
      "  SmallVector<int64_t> tileSizes(sizes);\n",
      "the register tiles from a constant fill also tile the reduction (each "
      "k step restarts from the fill)",
      first=[CG_TEST, "test/e2e/contraction-fill.mlir"]),
    M("cg-fill-cache-blocked", CG,
      "op.getStaticLoopRanges()[dims.k.back()] > kCacheBlock)",
      "op.getStaticLoopRanges()[dims.k.back()] > 4 * kCacheBlock)",
      "the constant fill is taken when k is cache-blocked (up to 1024)",
      first=[CG_TEST, "test/e2e/contraction-fill*.mlir", "test/e2e/encoder.test"]),
    M("cg-pack-order", CG,
      "packed[(p * k + kk) * nr + j] = values[kk * n + p * nr + j];",
      "packed[(kk * panels + p) * nr + j] = values[kk * n + p * nr + j];",
      "constant weights packed [k, panels, nr] instead of [panels, k, nr]",
      first=[CG_TEST, "test/e2e/mlp.mlir", "test/e2e/encoder.test"]),
    M("cg-pack-column", CG,
      "Value col = arith::MulIOp::create(b, l, p, width);",
      "Value col = p;", "a panel's output column is its index, not index * nr",
      first=[CG_TEST, "test/e2e/mlp.mlir", "test/e2e/encoder.test"]),
    M("cg-hoist-multi", CG, "type.getNumElements() != 1 ||",
      "type.getNumElements() < 1 ||",
      "an input with several elements is hoisted as its first element",
      first=[CG_TEST, "test/e2e/gather*.mlir", "test/e2e/real-sizes.mlir"]),
    # The buffer planner: lifetimes, sizes, offsets.
    M("bp-last-use", BP,
      "buffer.end = std::max(buffer.end, positions.lookup(ancestor));",
      "buffer.end = positions.lookup(ancestor);",
      "a lifetime ends at the use visited last, not the latest one",
      first=BP_FIRST),
    M("bp-bytes", BP,
      "int64_t bytes = type.getNumElements() * "
      "(element.getIntOrFloatBitWidth() / 8);",
      "int64_t bytes = type.getNumElements();",
      "a buffer's size counted in elements, not bytes",
      first=BP_FIRST),
    M("bp-views", BP,
      "        for (Value result : user->getResults())\n"
      "          if (isa<BaseMemRefType>(result.getType()))\n"
      "            worklist.push_back(result);",
      "        (void)user;", "the uses of a view do not extend the lifetime",
      first=BP_FIRST),
    M("bp-align", BP,
      "      offset = llvm::alignTo(offset, buffer->alignment);\n", "",
      "offsets are not aligned",
      first=BP_FIRST),
    M("bp-tensor-alias", BP, "llvm::IsaPred<BaseMemRefType, TensorType>",
      "llvm::IsaPred<BaseMemRefType>",
      "a tensor made from a buffer (to_tensor) does not extend its lifetime",
      first=BP_FIRST),
    # The header and the model description.
    M("hdr-trampoline", HDR,
      "forwarded.push_back(\"ptrs[\" + std::to_string(i + 1) + \"]\");",
      "forwarded.push_back(\"ptrs[\" + std::to_string(i) + \"]\");",
      "the trampoline passes the arguments one slot early",
      first=HDR_FIRST),
    M("desc-static-shape", DESC,
      "value.shape.push_back(ShapedType::isDynamic(size) ? -1 : size);",
      "value.shape.push_back(-1);",
      "static sizes are described as dynamic (never checked)",
      first=HDR_FIRST),
    M("desc-policy", DESC, "  case OutOfRangePolicy::Fallback:\n"
      "    return BUCKET_OUT_OF_RANGE_FALLBACK;",
      "  case OutOfRangePolicy::Fallback:\n    return BUCKET_OUT_OF_RANGE_SPLIT;",
      "fallback is described as split",
      first=HDR_FIRST),
    M("desc-f16", DESC, "BUCKET_ELEMENT(type.isF16(), BUCKET_ELEMENT_F16)",
      "BUCKET_ELEMENT(type.isF16(), BUCKET_ELEMENT_BF16)",
      "f16 values are described as bf16",
      first=HDR_FIRST),
    # The ONNX importer.
    M("onnx-gemm-transb", ONNX, "  if (getInt(\"transB\", 0))\n",
      "  if (false)\n", "Gemm's transB is ignored"),
    M("onnx-softmax-axis", ONNX,
      "normalizeAxis(getInt(\"axis\", opset < 13 ? 1 : -1), rank);",
      "normalizeAxis(getInt(\"axis\", 1), rank);",
      "Softmax's default axis is 1 at every opset"),
    M("onnx-slice-clamp", ONNX,
      "return SymExpr::constant(std::clamp<int64_t>(r, lo, *d + lo));",
      "return SymExpr::constant(r);", "Slice bounds are not clamped"),
    M("onnx-reshape-zero", ONNX, "if (e.isConstant(0) && !allowZero) {",
      "if (e.isConstant(0) && allowZero) {",
      "Reshape's 0 copies the input's size only under allowzero"),
    M("onnx-where-order", ONNX,
      "return arith::SelectOp::create(ob, l, args[0], args[1], args[2]);",
      "return arith::SelectOp::create(ob, l, args[0], args[2], args[1]);",
      "Where's branches swapped"),
    M("onnx-same-pads", ONNX, "  w.pads[d] = upper ? small : total - small;\n"
      "  w.pads[w.rank() + d] = upper ? total - small : small;",
      "  w.pads[d] = upper ? total - small : small;\n"
      "  w.pads[w.rank() + d] = upper ? small : total - small;",
      "SAME_UPPER and SAME_LOWER put the odd pad at the wrong end"),
]


def sh(cmd, cwd, log, timeout=3600):
    t = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                           timeout=timeout)
        rc, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = "timeout", str(e)
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}  [{rc}, {time.time() - t:.0f}s]\n")
        f.write(out[-20000:] + "\n")
    return rc, out


def prepare(src, work, log):
    if not os.path.isdir(work):
        subprocess.run(["git", "clone", "-q", src, work], check=True)
    build = os.path.join(work, "build")
    if not os.path.exists(os.path.join(build, "build.ninja")):
        subprocess.run(
            ["cmake", "-G", "Ninja", "-S", work, "-B", build,
             "-DCMAKE_BUILD_TYPE=Release",
             "-DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir",
             "-DCMAKE_C_COMPILER=clang-22", "-DCMAKE_CXX_COMPILER=clang++-22",
             "-DLLVM_USE_LINKER=lld", "-DBUCKET_ENABLE_ONNX=ON"],
            check=True, capture_output=True)
    return build


def run_lit(patterns, work, build, log):
    """Runs lit over test paths or patterns (matched in the source tree, run
    in the build tree); returns (passed, what failed)."""
    paths = [os.path.join(build, os.path.relpath(path, work))
             for d in patterns
             for path in sorted(glob.glob(os.path.join(work, d)))]
    rc, out = sh([LIT, "-q", "-j1", "--max-failures=1"] + paths, work, log,
                 timeout=3600)
    if rc != 0:
        failed = [l.split("::")[-1].strip() for l in out.splitlines()
                  if l.startswith("  BUCKET ::") or "FAIL: BUCKET" in l]
        return False, ", ".join(failed[:3]) or f"lit rc={rc}"
    return True, ""


def run_tests(area, work, build, log, first=()):
    """Returns (passed, what failed)."""
    cfg = AREAS[area]
    rc, out = sh(["ninja", "-C", build, "-j1"] + cfg["targets"], work, log)
    if rc != 0:
        return None, "build failed"
    for t in cfg["gtest"]:
        rc, _ = sh([os.path.join(build, t), "--gtest_brief=1"], work, log,
                   timeout=1200)
        if rc != 0:
            return False, os.path.basename(t)
    # The mutant's own likely killers first: a killed mutant then costs
    # seconds, not the whole suite (on 2 shared cores, minutes).
    if first:
        ok, what = run_lit(first, work, build, log)
        if not ok:
            return ok, what
    return run_lit(cfg["lit"], work, build, log)


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/mutate-work")
    ap.add_argument("--src", default=here, help="repository to clone")
    ap.add_argument("--only", default="", help="comma-separated mutant ids")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--baseline", action="store_true",
                    help="also run every area's tests unmutated first")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if os.path.realpath(a.work) == os.path.realpath(here):
        sys.exit("mutate.py: --work must not be the source tree")
    mutants = MUTANTS
    if a.only:
        byId = {m["id"]: m for m in MUTANTS}
        unknown = [i for i in a.only.split(",") if i not in byId]
        if unknown:
            sys.exit(f"mutate.py: unknown mutants {', '.join(unknown)}")
        mutants = [byId[i] for i in a.only.split(",")]  # in the given order
    if a.list:
        for m in mutants:
            print(f"{m['id']:24} {m['file']:40} {m['what']}")
        return 0
    build = prepare(a.src, a.work, None)
    log = os.path.join(a.work, "mutate.log")
    print(f"mutate: {len(mutants)} mutants in {a.work} (log: {log})",
          flush=True)
    if a.baseline:
        for area in sorted({m["area"] for m in mutants}):
            ok, what = run_tests(area, a.work, build, log)
            print(f"baseline {area}: {'pass' if ok else 'FAIL ' + what}",
                  flush=True)
            if not ok:
                return 1
    results = []
    t0 = time.time()
    # A time limit (SIGTERM) restores the mutated file and prints the summary
    # of the mutants run so far.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(
        KeyboardInterrupt()))
    try:
        run_mutants(mutants, a, build, log, results)
    except KeyboardInterrupt:
        print("mutate: interrupted; the summary covers the mutants run",
              flush=True)
    summarize(results, a, build, log, t0)
    return 0


def run_mutants(mutants, a, build, log, results):
    for m in mutants:
        path = os.path.join(a.work, m["file"])
        with open(path) as f:
            text = f.read()
        n = text.count(m["old"])
        if n != 1:
            results.append(dict(m, status="stale",
                                detail=f"snippet found {n} times"))
            print(f"{m['id']}: stale (snippet found {n} times)", flush=True)
            continue
        t = time.time()
        try:
            with open(path, "w") as f:
                f.write(text.replace(m["old"], m["new"]))
            ok, what = run_tests(m["area"], a.work, build, log, m["first"])
        finally:
            with open(path, "w") as f:
                f.write(text)
        status = ("stillborn" if ok is None else
                  "survived" if ok else "killed")
        results.append(dict(m, status=status, detail=what,
                            seconds=round(time.time() - t)))
        print(f"{m['id']}: {status} {what} ({time.time() - t:.0f}s)",
              flush=True)
        with open(os.path.join(a.work, "mutate-results.jsonl"), "a") as f:
            f.write(json.dumps(results[-1]) + "\n")


def summarize(results, a, build, log, t0):
    # Leave the clone built from its unmutated sources.
    sh(["ninja", "-C", build, "-j1"] + sorted({t for ar in AREAS.values()
                                               for t in ar["targets"]}),
       a.work, log)
    killed = sum(r["status"] == "killed" for r in results)
    survived = [r for r in results if r["status"] == "survived"]
    counted = killed + len(survived)
    score = 100.0 * killed / counted if counted else 0.0
    print(f"mutate: {killed} killed, {len(survived)} survived, "
          f"{sum(r['status'] == 'stillborn' for r in results)} stillborn, "
          f"{sum(r['status'] == 'stale' for r in results)} stale; "
          f"score {score:.1f}% ({time.time() - t0:.0f}s)")
    for r in survived:
        print(f"  survived: {r['id']} ({r['file']}): {r['what']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"score": score, "results": results}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
