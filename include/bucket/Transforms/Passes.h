//===- Passes.h - bucket transformation passes ------------------*- C++ -*-===//

#ifndef BUCKET_TRANSFORMS_PASSES_H
#define BUCKET_TRANSFORMS_PASSES_H

#include "bucket/IR/BucketDialect.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
namespace affine {
class AffineDialect;
} // namespace affine
namespace arith {
class ArithDialect;
} // namespace arith
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace func {
class FuncDialect;
} // namespace func
namespace scf {
class SCFDialect;
} // namespace scf
namespace tensor {
class TensorDialect;
} // namespace tensor

namespace bucket {

#define GEN_PASS_DECL
#include "bucket/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "bucket/Transforms/Passes.h.inc"

} // namespace bucket
} // namespace mlir

#endif // BUCKET_TRANSFORMS_PASSES_H
