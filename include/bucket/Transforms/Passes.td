//===- Passes.td - bucket transformation passes ------------*- tablegen -*-===//

#ifndef BUCKET_TRANSFORMS_PASSES
#define BUCKET_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def BucketDecomposeAggregatesPass
    : Pass<"bucket-decompose-aggregates", "func::FuncOp"> {
  let summary = "Decompose aggregated linalg ops (linalg.softmax) into the "
                "linalg ops they stand for";
  let description = [{
    `linalg.softmax` is one op standing for four (a max, an exp of the
    difference, a sum and a division). The dimension and padding analyses
    reason about structured ops with indexing maps and bodies, and the code
    generation tiles them; an aggregated op is opaque to both. This pass
    replaces every op implementing `AggregatedOpInterface` with its upstream
    decomposition (`decomposeOperation`), the same one that
    `transform.structured.decompose_interface` applies, so the padding
    analysis sees the max and the sum and picks -inf for a padded softmax
    axis, and a batch axis stays splittable.

    Runs first in `bucket-bucketize` and in `bucket-lower-to-llvm`.

    ```mlir
    %r = linalg.softmax dimension(1) ins(%x : tensor<?x16xf32>)
           outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
    ```

    becomes a `linalg.generic` max reduction (filled with -inf), a
    `linalg.generic` computing `exp(x - max)`, a sum reduction and a
    division, on the same tensors.
  }];
  let dependentDialects = ["arith::ArithDialect", "linalg::LinalgDialect",
                           "math::MathDialect", "tensor::TensorDialect"];
}

def BucketPrepareEntryPointsPass
    : Pass<"bucket-prepare-entry-points", "ModuleOp"> {
  let summary = "Name and expose the public functions a compiled object "
                "exports";
  let description = [{
    The first step of `bucket-bucketize` when bucket-compile runs it. Every
    public function with a body gets `symbol-prefix` in front of its name
    (to link several compiled models into one program; the prefix must be a
    C identifier) and, with `c-interface`, the `llvm.emit_c_interface`
    attribute that gives it the `_mlir_ciface_<name>` entry point the
    generated header calls.

    ```mlir
    func.func @mlp(...)
    // symbol-prefix=m1_ c-interface=true:
    func.func @m1_mlp(...) attributes {llvm.emit_c_interface}
    ```
  }];
  let options = [
    Option<"symbolPrefix", "symbol-prefix", "std::string", /*default=*/"",
           "Prefix of the public functions' names">,
    Option<"cInterface", "c-interface", "bool", /*default=*/"false",
           "Give every public function a C interface">,
  ];
}

def BucketExportSpecializationsPass
    : Pass<"bucket-export-specializations", "ModuleOp"> {
  let summary = "Make every bucket's static function public, with its C "
                "interface";
  let description = [{
    For benchmarks and tests that call one bucket directly
    (`bucket-compile --export-buckets`): every function carrying
    `bucket.specialization_of` becomes public with `llvm.emit_c_interface`.
  }];
}

def BucketMarkInputsReadOnlyPass
    : Pass<"bucket-mark-inputs-read-only", "ModuleOp"> {
  let summary = "Mark the tensor arguments of every function read-only for "
                "bufferization";
  let description = [{
    The runtime API takes inputs as `const`: the caller owns them. Each
    tensor argument of a function with a body gets
    `bufferization.writable = false`, so one-shot bufferization copies rather
    than writes into an argument's buffer. A state argument (`bucket.state`,
    docs/State.md) is the exception: it gets `bufferization.writable = true`,
    so that it is updated in place. The first step of `bucket-lower-to-llvm`.
  }];
}

def BucketDetachStateResultsPass
    : Pass<"bucket-detach-state-results", "ModuleOp"> {
  let summary = "Check that every state was bufferized in place and take its "
                "tied result out of the function for buffer deallocation";
  let description = [{
    Runs right after `one-shot-bufferize` (function boundaries, identity
    layouts). For each state argument K tied to result N it checks that
    bufferization updated the state in place: result N is argument K's own
    buffer (through `memref.cast`, the tied results of calls and the
    branches of `scf.if` / `scf.index_switch`), and no `memref.copy` reads
    the whole state. Otherwise it fails with "state argument K is copied
    here" at the copy, or with an error at the `func.return`.

    Then it removes result N from the function, its returns and its calls
    (uses of a call's result read the state operand instead), recording the
    pairs in `bucket.detached_states`: `buffer-deallocation-pipeline` clones
    every function result it does not own, which would copy the state on
    every call. `bucket-attach-state-results` puts the results back.

    ```mlir
    func.func @step(%x: memref<1x4xf32>,
        %cache: memref<16x4xf32> {bucket.state, bucket.tied_result = 0 : i64})
        -> memref<16x4xf32> {
      ...   // writes into a subview of %cache
      return %cache : memref<16x4xf32>
    }
    // becomes
    func.func @step(%x: memref<1x4xf32>, %cache: memref<16x4xf32>)
        attributes {bucket.detached_states = array<i64: 1, 0>} {
      ...
      return
    }
    ```
  }];
}

def BucketAttachStateResultsPass
    : Pass<"bucket-attach-state-results", "ModuleOp"> {
  let summary = "Give back the state results bucket-detach-state-results "
                "took out";
  let description = [{
    Runs after `buffer-deallocation-pipeline`. Every function with
    `bucket.detached_states` gets its tied results back at their positions,
    each returning its state argument's buffer, and its state attributes;
    calls of it get the results too (unused). The C interface is then the
    tensor-level signature, and the state result the runtime receives is the
    caller's own buffer.
  }];
}

def BucketSpecializeFunctionsPass
    : Pass<"bucket-specialize-functions", "ModuleOp"> {
  let summary = "Clone each dynamic-shape public function once per bucket, "
                "with static argument types, and refine the clones to static "
                "shapes";
  let description = [{
    For every public `func.func` with dynamically shaped tensor arguments,
    the pass runs the dimension analysis (which dynamic dimensions are one
    symbolic dimension), expands the bucket specification over those
    dimensions, and creates one private clone per bucket. A clone's arguments
    have static types (each dynamic dimension replaced by its bucket size);
    casts back to the original types are folded away by canonicalization and
    cast folding, and the clone's result types are refined to the static
    types that reach its `func.return`.

    The specification comes from the `buckets` option when it is set, else
    from the function's `bucket.buckets` string attribute (the syntax is in
    docs/BucketSpec.md). A public function with dynamic arguments and no
    specification is an error.

    Before cloning, the padding analysis proves that padding every argument
    at the end of its bucketed dimensions cannot change the results, and
    picks each argument's pad value (recorded as `bucket.padding`): zero
    unless a reduction needs another neutral element (-inf for a max or a
    softmax input, 1 for a product). `bucket.pad_value` and `bucket.mask`
    argument attributes (or the `pad-values` and `masks` options) declare
    pad values and masks; a padding the analysis cannot prove safe, a
    declaration included, is an error at the op, naming the argument, the
    dimension and the remedies (docs/Padding.md). With `padding=repair` (the
    default), the buckets receive the real sizes where the original uses a
    size as a value, and where padding would still reach a real result (a
    max over computed scores, a "same" convolution after bias and ReLU) the
    original gets a mask first: a select on `linalg.index < real size` that
    keeps an accumulator or restores a neutral value, reported as a remark.

    The out-of-range policy of each dimension comes from the `out-of-range`
    option or the `bucket.out_of_range` attribute and is recorded as
    `bucket.policies`. `fallback` (and `self-check`) add a private clone of
    the original, `<name>_fallback`, kept dynamic; `split` is only accepted
    for a dimension the analysis proves is never reduced or mixed.

    The original function is left in place and annotated with the table the
    dispatcher needs: `bucket.dim_names`, `bucket.bucket_table` (one row per
    bucket, in dispatch order) and, per argument, `bucket.dim_ids`.

    Preconditions: tensor-level IR; elementwise arith/math ops on tensors are
    best converted to linalg first (`convert-elementwise-to-linalg`) so that
    static shapes propagate through them.

    Example, with `buckets="seq=64,128"`:

    ```mlir
    func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32>
    ```

    becomes

    ```mlir
    func.func @f(%x: tensor<?x8xf32> {bucket.dim_ids = array<i32: 0, -1>})
        -> tensor<?x8xf32> attributes {bucket.bucket_table = [array<i64: 64>,
        array<i64: 128>], bucket.dim_names = ["seq"]}
    func.func private @f_seq64(%x: tensor<64x8xf32>) -> tensor<64x8xf32>
        attributes {bucket.bucket = array<i64: 64>,
                    bucket.specialization_of = @f}
    func.func private @f_seq128(%x: tensor<128x8xf32>) -> tensor<128x8xf32>
    ```
  }];
  let options = [
    Option<"buckets", "buckets", "std::string", /*default=*/"\"\"",
           "Bucket specification for every public dynamic function, e.g. "
           "'batch=1,4;seq=64,128' or 'batch,seq=1x128,4x64'; overrides "
           "bucket.buckets attributes">,
    Option<"padValues", "pad-values", "std::string", /*default=*/"\"\"",
           "Pad values by argument number, e.g. '0=-inf,2=1' (values: a "
           "number, -inf, inf, min, max); override bucket.pad_value">,
    Option<"masks", "masks", "std::string", /*default=*/"\"\"",
           "Arguments that mask padded positions, e.g. '1' (an attention "
           "mask: 1 for real positions, 0 for padding); add bucket.mask">,
    Option<"outOfRange", "out-of-range", "std::string", /*default=*/"\"\"",
           "What to do with shapes beyond the largest bucket: 'error' "
           "(default), 'fallback', 'split' or 'truncate', for every "
           "dimension or per dimension ('seq=fallback,batch=split'); "
           "overrides bucket.out_of_range">,
    Option<"selfCheck", "self-check", "bool", /*default=*/"false",
           "Make the dispatcher also run the next larger bucket (or the "
           "generic fallback) and report any difference to the runtime">,
    Option<"padding", "padding", "std::string", /*default=*/"\"repair\"",
           "'repair' (default): a size of an argument's padded dimension "
           "used as a value (a mean's divisor, the last position) is given "
           "to each bucket as the real size, and where no pad value makes "
           "padding safe a mask on linalg.index < real size is inserted "
           "(a remark per mask); 'prove': refused, as padding that could "
           "change a result; 'unsafe-no-masks': as repair without the "
           "masks, for measuring what they cost (results may be wrong)">,
    Option<"maxBuckets", "max-buckets", "unsigned", /*default=*/"256",
           "The most specializations one function may have; a larger "
           "specification is an error before anything is expanded">,
  ];
  let dependentDialects = ["affine::AffineDialect", "arith::ArithDialect",
                           "bucket::BucketDialect", "tensor::TensorDialect"];
  let statistics = [
    Statistic<"numSpecializations", "num-specializations",
              "Number of specialized functions created">,
  ];
}

def BucketVerifyStaticShapesPass
    : Pass<"bucket-verify-static-shapes", "ModuleOp"> {
  let summary = "Check that every specialized function is fully static";
  let description = [{
    The contract of specialization: in a function carrying
    `bucket.specialization_of`, every value of shaped type, every argument
    and every result has a static shape. The pass emits an error at each op
    that still produces a dynamically shaped value (and fails), so that
    whatever the refinement could not make static is reported where it is,
    not later as slow or wrong code.
  }];
}

def BucketVerifyBucketizedPass
    : Pass<"bucket-verify-bucketized", "ModuleOp"> {
  let summary = "Check the contract of bucket-bucketize: every public "
                "function is static or a dispatcher over static buckets";
  let description = [{
    The last step of `bucket-bucketize`. After it, the module holds:

    - public functions whose arguments are all static (nothing to bucket),
      or dispatchers (`bucket.dispatcher`) whose every specialization is
      private and has a static signature;
    - private specializations (`bucket.specialization_of` naming an existing
      dispatcher, `bucket.bucket` with one size per dimension of its table);
    - at most one private fallback per dispatcher (`bucket.fallback_of`).

    Anything else is an error at the function: a public function left with
    dynamic arguments (it would be compiled without buckets), a dispatcher
    without specializations, a specialization of nothing. Code generation
    relies on this: static strategies for the buckets, the generic lowering
    for the rest.
  }];
}

def BucketVerifyLLVMPass : Pass<"bucket-verify-llvm", "ModuleOp"> {
  let summary = "Check that a module is in the LLVM dialect only, before "
                "translation to LLVM IR";
  let description = [{
    The last step of `bucket-lower-to-llvm`: every op but the top-level
    `builtin.module` belongs to the `llvm` dialect. An op left over by the
    lowering (an `unrealized_conversion_cast`, a `memref` op from a dynamic
    shape the pipeline did not expect) is reported here, at the op, instead
    of as a translation failure without a location.
  }];
}

def BucketGenerateDispatchPass
    : Pass<"bucket-generate-dispatch", "ModuleOp"> {
  let summary = "Replace each specialized function's body by a dispatcher "
                "that pads, calls the smallest fitting bucket and crops";
  let description = [{
    For each function that `bucket-specialize-functions` annotated, the body
    is replaced by a dispatcher with the same name and type:

    1. read each symbolic dimension from the first argument dimension of its
       class (`tensor.dim`);
    2. select the first row of `bucket.bucket_table` whose sizes are all
       greater than or equal to the values: the rows are sorted by padded
       cost, so this is the cheapest bucket that fits;
    3. `scf.index_switch` on that row: pad every dynamic input to the bucket
       (`tensor.pad` with zero), call the specialized function, and crop
       every result (`tensor.extract_slice`) to the size the original
       function would have produced, computed from the argument dimensions
       with the original's own shape computation;
    4. when no bucket fits, follow the policies in `bucket.policies`:
       `truncate` dimensions are cropped to the largest bucket before the
       selection; beyond the range, `split` runs the function on chunks of
       the largest bucket (a recursive call) and inserts the results,
       `fallback` calls the generic `bucket.fallback`, and `error` calls
       `bucket_rt_report_out_of_range(dim, value, largest)` (provided by the
       runtime library) and returns results whose dynamic dimensions are
       zero: never an out-of-bounds access.

    Pad values come from each argument's `bucket.padding` (zero without
    one). With `bucket.self_check`, each case also runs the next larger
    bucket that contains it (or the fallback after the largest) and calls
    `bucket_rt_report_self_check(bucket, other, result, max_abs_diff)` when
    a result differs.

    Callers, including those of `_mlir_ciface_<name>` when the function has
    `llvm.emit_c_interface`, get the bucketed version unchanged.
  }];
  let dependentDialects = ["affine::AffineDialect", "arith::ArithDialect",
                           "bucket::BucketDialect",
                           "func::FuncDialect", "linalg::LinalgDialect",
                           "math::MathDialect",
                           "scf::SCFDialect", "tensor::TensorDialect"];
}

def BucketInterchangeForVectorizationPass
    : Pass<"bucket-interchange-for-vectorization"> {
  let summary = "Order the loops of contraction-like linalg.generic ops so "
                "that the innermost loop walks memory contiguously";
  let description = [{
    Part of the generic lowering (`convert-linalg-to-loops` emits loops in
    the op's iteration order). For a `linalg.generic` with reduction loops
    whose output's innermost dimension is a parallel loop `p` that also
    indexes the innermost dimension of an input, the loops are permuted to
    (the other parallel loops, the reduction loops, `p`): a matmul's
    `(i, j, k)` becomes `(i, k, j)`, whose innermost loop streams a row of
    the right-hand side and of the output, which LLVM vectorizes.

    Each output element still accumulates its reduction in the same order,
    so results are bit-identical. Named ops must be generalized first
    (`linalg-generalize-named-ops`); ops that do not match are left alone.

    ```mlir
    // matmul: iterator_types = ["parallel", "parallel", "reduction"]
    // after:  iterator_types = ["parallel", "reduction", "parallel"]
    ```
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def BucketTileAndVectorizePass
    : Pass<"bucket-tile-and-vectorize", "func::FuncOp"> {
  let summary = "Tile and vectorize the statically shaped linalg ops of a "
                "function (the code generation strategy of static buckets)";
  let description = [{
    Static buckets pay only if the code generator uses their shapes. For
    every linalg op on tensors whose operands all have static shapes:

    - the right-hand side of a matmul is packed into contiguous K x NR
      column panels (folded at compile time for a constant weight, a
      vectorized transpose otherwise) and the matmul runs once per panel,
      so a panel stays in cache for every row of the left-hand side;
    - contractions (matmul, batch matmul, contraction-like generics) are
      tiled to an MR x NR register tile (4 x 16 for 256-bit vectors, 8 x 32
      for 512-bit ones; a size the tile does not divide is split at the
      last whole tile, the rest getting one smaller tile), batch and
      outer dimensions by 1 and the reduction by 1, vectorized to
      `vector.contract`, and the accumulator tile is hoisted out of the
      reduction loop so it stays in registers;
    - other ops are tiled by 1 along their parallel dimensions except the
      innermost, which gets up to four vectors, and vectorized whole (a row
      reduction becomes a `vector.multi_reduction`);
    - transposes that move the innermost dimension get square tiles of
      lanes x lanes instead, read along the input's rows and transposed in
      registers;
    - in a tile that reads one element of an input (the token id of an
      embedding lookup), that element is read once before the vector code,
      so a `tensor.extract` indexed by it becomes a contiguous vector load
      rather than a gather.

    Vector `math` ops (exp, tanh, erf, log) get MLIR's polynomial
    approximations instead of one libm call per lane. Ops with a dynamic
    shape (the generic fallback) and ops on i1 tensors are left alone for the
    generic lowering. The vector ops are lowered after bufferization by
    `convert-vector-to-scf`, `lower-vector-multi-reduction` and
    `convert-vector-to-llvm{vector-contract-lowering=outerproduct}` (part of
    `bucket-lower-to-llvm`).

    ```mlir
    %r = linalg.matmul ins(%a, %b : tensor<64x256xf32>, tensor<256x256xf32>)
                       outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
    // becomes scf.for over 64/4 x 256/16 tiles, each an scf.for over k
    // carrying a vector<4x16xf32> accumulator updated by vector.contract.
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits (0: the host's)">,
  ];
  let dependentDialects = ["arith::ArithDialect", "linalg::LinalgDialect",
                           "scf::SCFDialect", "tensor::TensorDialect",
                           "vector::VectorDialect"];
  let statistics = [
    Statistic<"numVectorized", "num-vectorized",
              "Number of linalg ops tiled and vectorized">,
    Statistic<"numLeftToLoops", "num-left-to-loops",
              "Number of linalg ops left to the generic lowering because a "
              "step of the strategy did not apply">,
  ];
}

def BucketPlanBuffersPass : Pass<"bucket-plan-buffers", "func::FuncOp"> {
  let summary = "Place a function's static intermediate buffers in one arena "
                "by liveness";
  let description = [{
    After bufferization and deallocation, each intermediate tensor of a static
    bucket is a `memref.alloc` of a fixed size, freed at the end of the body:
    an encoder at 512 tokens allocates 29 buffers (36 MB) per call, all live
    at once, and every call asks the allocator for them again.

    This pass gives each such buffer an offset in one arena allocated at the
    start of the body (`memref.alloc` of bytes) and viewed with `memref.view`;
    buffers whose lifetimes do not overlap share bytes. A buffer's lifetime
    runs from its allocation to the last op of the body that uses it or a
    view of it (with everything nested in that op). The arena is freed where
    the body returns.

    Preconditions: the body is one block (run before `convert-scf-to-cf`) and
    deallocations are explicit (`buffer-deallocation-pipeline`,
    `convert-bufferization-to-memref`). A buffer is planned only if it is
    statically sized with an identity layout and whole-byte elements,
    allocated and freed once directly in the body, and none of its views is
    returned, passed to a call, yielded or taken as a pointer; anything else
    keeps its own allocation. Results are unchanged: only where buffers live
    changes.

    ```mlir
    %a = memref.alloc() {alignment = 64 : i64} : memref<64x256xf32>
    ...                                    // last use of %a
    %b = memref.alloc() {alignment = 64 : i64} : memref<64x256xf32>
    ...
    memref.dealloc %a : memref<64x256xf32>
    memref.dealloc %b : memref<64x256xf32>
    // becomes
    %arena = memref.alloc() {alignment = 64 : i64} : memref<65536xi8>
    %a = memref.view %arena[%c0][] : memref<65536xi8> to memref<64x256xf32>
    ...
    %b = memref.view %arena[%c0][] : memref<65536xi8> to memref<64x256xf32>
    ...
    memref.dealloc %arena : memref<65536xi8>
    ```
  }];
  let dependentDialects = ["arith::ArithDialect", "memref::MemRefDialect"];
  let statistics = [
    Statistic<"numBuffers", "buffers", "Buffers placed in an arena">,
    Statistic<"arenaBytes", "arena-bytes", "Bytes of the arenas">,
    Statistic<"separateBytes", "separate-bytes",
              "Bytes the planned buffers took as separate allocations">,
  ];
}

#endif // BUCKET_TRANSFORMS_PASSES
