//===- Pipeline.h - The bucket compilation pipelines ------------*- C++ -*-===//
//
// The pipelines as library functions: registered for bucket-opt and called
// by bucket-compile, so both run exactly the same passes.
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_PIPELINE_PIPELINE_H
#define BUCKET_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace bucket {

struct BucketizeOptions : public PassPipelineOptions<BucketizeOptions> {
  PassOptions::Option<std::string> buckets{
      *this, "buckets",
      llvm::cl::desc("Bucket specification; overrides bucket.buckets "
                     "attributes (see docs/BucketSpec.md)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> padValues{
      *this, "pad-values",
      llvm::cl::desc("Pad values by argument number, e.g. '0=-inf,2=1'; "
                     "override bucket.pad_value (see docs/Padding.md)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> masks{
      *this, "masks",
      llvm::cl::desc("Arguments that mask padded positions, e.g. '1'"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> outOfRange{
      *this, "out-of-range",
      llvm::cl::desc("Out-of-range policies: error, fallback, split or "
                     "truncate, for all dimensions or 'seq=fallback,...'"),
      llvm::cl::init("")};
  PassOptions::Option<bool> selfCheck{
      *this, "self-check",
      llvm::cl::desc("Check every call against the next larger bucket (or "
                     "the fallback) and report differences"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> padding{
      *this, "padding",
      llvm::cl::desc("'repair' (default): sizes used as values read the "
                     "real size in each bucket and padding that would reach "
                     "a result is masked; 'prove': refused"),
      llvm::cl::init("repair")};
  PassOptions::Option<unsigned> maxBuckets{
      *this, "max-buckets",
      llvm::cl::desc("The most specializations one function may have"),
      llvm::cl::init(256)};
  PassOptions::Option<std::string> symbolPrefix{
      *this, "symbol-prefix",
      llvm::cl::desc("Prefix the names of the public functions (a C "
                     "identifier), to link several models into one program"),
      llvm::cl::init("")};
  PassOptions::Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("Give every public function the C interface the "
                     "generated header calls (llvm.emit_c_interface)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> exportBuckets{
      *this, "export-buckets",
      llvm::cl::desc("Also make each bucket's static function public, with "
                     "its C interface"),
      llvm::cl::init(false)};
};

/// Tensor level (`bucket-bucketize`): names and exposes the entry points,
/// converts elementwise ops to linalg, decomposes aggregated ops, specializes
/// every public dynamic function per bucket, verifies the specializations
/// are static, generates the dispatchers and verifies the result. This is
/// all bucket-compile does to the module before lowering: `bucket-opt
/// --bucket-bucketize='<options> c-interface=true'` prints what
/// `bucket-compile <the same options> --emit=mlir` does.
void buildBucketizePipeline(OpPassManager &pm, const BucketizeOptions &options);

/// The lowering from tensors to the LLVM dialect (`bucket-lower-to-llvm`):
/// the code generation of static buckets (bucket-tile-and-vectorize) and the
/// generic lowering of what stays dynamic, bufferization with
/// identity-layout function boundaries, ownership-based deallocation, loops,
/// vector lowering and the conversions to LLVM.
/// `vectorBits` is the target's vector register width for the code
/// generation of static buckets (0: the host's).
void buildLowerToLLVMPipeline(OpPassManager &pm, unsigned vectorBits = 0);

/// The textual form of buildLowerToLLVMPipeline, runnable with upstream
/// `mlir-opt --pass-pipeline=...`.
StringRef getLowerToLLVMPipelineText();

/// Registers `bucket-bucketize` and `bucket-lower-to-llvm`.
void registerBucketPipelines();

} // namespace bucket
} // namespace mlir

#endif // BUCKET_PIPELINE_PIPELINE_H
