//===- OnnxImporter.cpp - ONNX models into bucketable tensor MLIR ---------===//
//
// The only translation unit that includes ONNX and protobuf headers (built
// with exceptions, which protobuf needs). It walks the graph in order and
// keeps, for every ONNX value, its symbolic shape (polynomials over the
// named dimensions, SymExpr.h) and, for small integer tensors, its symbolic
// elements: so the exporters' shape subgraphs (Shape, Gather, Unsqueeze,
// Concat, arithmetic) fold into sizes, and Reshape/Expand/ConstantOfShape/
// Range/Slice get their shapes from expressions, never from data.
//
//===----------------------------------------------------------------------===//

#include "bucket/Onnx/OnnxImporter.h"
#include "bucket/IR/BucketDialect.h"
#include "bucket/Onnx/SymExpr.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::bucket;
using namespace mlir::bucket::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// The element type of an ONNX data type, or null for one the importer does
/// not support (unsigned types, strings, bfloat16).
Type getElementType(MLIRContext *ctx, int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
  case onnx::TensorProto::FLOAT16:
    return Float16Type::get(ctx);
  case onnx::TensorProto::DOUBLE:
    return Float64Type::get(ctx);
  case onnx::TensorProto::INT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::INT32:
    return IntegerType::get(ctx, 32);
  case onnx::TensorProto::INT8:
    return IntegerType::get(ctx, 8);
  case onnx::TensorProto::BOOL:
    return IntegerType::get(ctx, 1);
  default:
    return {};
  }
}

/// Reads the bytes of an external tensor (`location`, `offset`, `length`).
FailureOr<std::string> readExternalData(const onnx::TensorProto &tensor,
                                        StringRef modelDir, Location loc) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &entry : tensor.external_data()) {
    // Not std::stoull: it throws on a malformed number (found by fuzzing).
    bool bad = false;
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      bad = StringRef(entry.value()).getAsInteger(10, offset);
    else if (entry.key() == "length") {
      bad = StringRef(entry.value()).getAsInteger(10, length);
      hasLength = true;
    }
    if (bad) {
      emitError(loc) << "external data of tensor '" << tensor.name()
                     << "': " << entry.key() << " '" << entry.value()
                     << "' is not a non-negative integer";
      return failure();
    }
  }
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (location.empty() || !file) {
    emitError(loc) << "cannot read the external data of tensor '"
                   << tensor.name() << "' from '" << path << "'";
    return failure();
  }
  StringRef bytes = (*file)->getBuffer();
  // `length > size - offset`, not `offset + length > size`: a length near
  // 2^64 would wrap the sum around.
  if (offset > bytes.size() || (hasLength && length > bytes.size() - offset)) {
    emitError(loc) << "external data of tensor '" << tensor.name()
                   << "' is outside '" << path << "'";
    return failure();
  }
  return bytes.substr(offset, hasLength ? length : StringRef::npos).str();
}

static LogicalResult sizeError(const onnx::TensorProto &tensor, Location loc) {
  emitError(loc) << "tensor '" << tensor.name() << "' holds the wrong number "
                 << "of elements for its shape";
  return failure();
}

/// One typed field's values (float_data, ...) as the tensor's attribute.
template <typename T, typename Field>
static FailureOr<DenseElementsAttr>
fromField(const Field &field, RankedTensorType type,
          const onnx::TensorProto &tensor, Location loc) {
  if (field.size() != type.getNumElements())
    return sizeError(tensor, loc);
  SmallVector<T> v(field.begin(), field.end());
  return DenseElementsAttr::get(type, ArrayRef<T>(v));
}

/// Converts the typed fields (float_data, int64_data, ...) of a tensor.
static FailureOr<DenseElementsAttr>
convertTypedData(const onnx::TensorProto &tensor, RankedTensorType type,
                 Location loc) {
  Type elementType = type.getElementType();
  int64_t numElements = type.getNumElements();
  auto check = [&](int64_t n) { return n == numElements; };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return fromField<float>(tensor.float_data(), type, tensor, loc);
  case onnx::TensorProto::DOUBLE:
    return fromField<double>(tensor.double_data(), type, tensor, loc);
  case onnx::TensorProto::INT64:
    return fromField<int64_t>(tensor.int64_data(), type, tensor, loc);
  case onnx::TensorProto::FLOAT16: {
    // Half floats are stored as their bits, one per int32_data entry.
    if (!check(tensor.int32_data_size()))
      return sizeError(tensor, loc);
    SmallVector<APFloat> v;
    for (int32_t x : tensor.int32_data())
      v.push_back(
          APFloat(APFloat::IEEEhalf(), APInt(16, static_cast<uint16_t>(x))));
    return DenseElementsAttr::get(type, v);
  }
  default: {
    // INT32, INT8 and BOOL are stored in int32_data.
    if (!check(tensor.int32_data_size()))
      return sizeError(tensor, loc);
    SmallVector<APInt> v;
    for (int32_t x : tensor.int32_data())
      v.push_back(APInt(elementType.getIntOrFloatBitWidth(),
                        static_cast<uint64_t>(static_cast<int64_t>(x)),
                        /*isSigned=*/true, /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, v);
  }
  }
}

/// Converts a TensorProto (inline, typed fields or external) to an attribute.
FailureOr<DenseElementsAttr> convertTensor(MLIRContext *ctx,
                                           const onnx::TensorProto &tensor,
                                           StringRef modelDir, Location loc) {
  Type elementType = getElementType(ctx, tensor.data_type());
  if (!elementType) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "': unsupported element type "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(
                              tensor.data_type()));
    return failure();
  }
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; })) {
    emitError(loc) << "tensor '" << tensor.name() << "' has a negative size";
    return failure();
  }
  auto type = RankedTensorType::get(shape, elementType);
  int64_t numElements = type.getNumElements();

  std::string raw;
  bool hasRaw = tensor.has_raw_data();
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<std::string> bytes = readExternalData(tensor, modelDir, loc);
    if (failed(bytes))
      return failure();
    raw = std::move(*bytes);
    hasRaw = true;
  } else if (hasRaw) {
    raw = tensor.raw_data();
  }
  if (hasRaw) {
    if (elementType.isInteger(1)) {
      if (static_cast<int64_t>(raw.size()) != numElements)
        return sizeError(tensor, loc);
      SmallVector<bool> values(raw.begin(), raw.end());
      return DenseElementsAttr::get(type, ArrayRef<bool>(values));
    }
    int64_t width = elementType.getIntOrFloatBitWidth() / 8;
    if (static_cast<int64_t>(raw.size()) != numElements * width)
      return sizeError(tensor, loc);
    // DenseElementsAttr's raw layout is the little-endian array ONNX stores.
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size()));
  }
  return convertTypedData(tensor, type, loc);
}

/// What the importer knows about one ONNX value.
struct TensorInfo {
  /// The tensor, or null until a consumer needs it (a shape value that only
  /// feeds shapes is never materialized).
  Value value;
  Type elementType;
  SymShape shape;
  /// Set for constants.
  DenseElementsAttr constant;
  /// Set for integer tensors of rank 0 or 1 whose elements are known
  /// symbolically (shape values).
  std::optional<SmallVector<SymExpr>> elements;

  int64_t getRank() const { return shape.size(); }
};

/// Conv and pooling attributes, one entry per spatial dimension. `pads`
/// holds all begins, then all ends; `ceilPads` is what ceil_mode adds at
/// the ends (it counts as padding but not in count_include_pad).
struct Window {
  SmallVector<int64_t> kernel, pads, strides, dilations, ceilPads;
  size_t rank() const { return kernel.size(); }
  int64_t padSum(size_t d) const {
    return pads[d] + pads[rank() + d] + ceilPads[d];
  }
  /// The same window over one more leading spatial dimension of size 1
  /// (a 1-D window as a 2-D one).
  Window withUnitDim() const {
    Window w;
    w.kernel = {1};
    w.strides = {1};
    w.dilations = {1};
    w.ceilPads = {0};
    llvm::append_range(w.kernel, kernel);
    llvm::append_range(w.strides, strides);
    llvm::append_range(w.dilations, dilations);
    llvm::append_range(w.ceilPads, ceilPads);
    w.pads = {0};
    w.pads.append(pads.begin(), pads.begin() + rank());
    w.pads.push_back(0);
    w.pads.append(pads.begin() + rank(), pads.end());
    return w;
  }
};

/// How Resize maps an output coordinate to an input one, per resized
/// dimension: the scale (given, or the sizes' ratio) and the sizes as f64.
struct ResizeAxis {
  int64_t dim;
  Value scale, inSize, outSize;
};

/// One operand of an einsum equation: a label per dimension. Letters are
/// labels 0-51; the dimensions an ellipsis stands for are 52 and up,
/// aligned to the right (numpy broadcasting).
using EinsumTerm = SmallVector<unsigned>;
constexpr unsigned kEllipsisLabel = 52;

/// Wraps a diagnostic message in the importer's "unsupported" wording, which
/// the node-test driver counts as unsupported rather than failed.
constexpr StringLiteral kUnsupported = "unsupported";

//===----------------------------------------------------------------------===//
// Importer
//===----------------------------------------------------------------------===//

class Importer {
public:
  Importer(MLIRContext *ctx, const onnx::ModelProto &model, StringRef fileName,
           StringRef modelDir, const OnnxImportOptions &options,
           ArrayRef<std::pair<unsigned, unsigned>> nodeLines)
      : ctx(ctx), model(model), graph(model.graph()), fileName(fileName),
        modelDir(modelDir), options(options), nodeLines(nodeLines), b(ctx),
        loc(FileLineColLoc::get(ctx, fileName, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

  using Handler = LogicalResult (Importer::*)(const onnx::NodeProto &);
  enum class ReduceKind { Sum, Max, Min, Prod, Mean };
  static const llvm::StringMap<Handler> &getHandlers();

private:
  // Setup.
  LogicalResult parseDimOptions();
  LogicalResult createFunction(ModuleOp module);
  FailureOr<RankedTensorType> getInputType(const onnx::ValueInfoProto &in,
                                           SmallVector<std::string> &names);
  LogicalResult importNode(const onnx::NodeProto &node, unsigned index);

  // Diagnostics.
  InFlightDiagnostic nodeError() {
    return emitError(loc) << "'" << node->name() << "' (" << node->op_type()
                          << ", opset " << opset << "): ";
  }
  LogicalResult unsupported(const Twine &what) {
    nodeError() << kUnsupported << " " << what;
    return failure();
  }
  LogicalResult dataDependent(const Twine &what) {
    nodeError() << what
                << " depends on data (only shapes computed from the inputs' "
                   "dimensions and constants can be imported)";
    return failure();
  }

  // Attributes and operands.
  const onnx::AttributeProto *attr(StringRef name) const {
    for (const auto &a : node->attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t getInt(StringRef name, int64_t def) const {
    const auto *a = attr(name);
    return a ? a->i() : def;
  }
  float getFloat(StringRef name, float def) const {
    const auto *a = attr(name);
    return a ? a->f() : def;
  }
  std::string getString(StringRef name, StringRef def) const {
    const auto *a = attr(name);
    return a ? a->s() : def.str();
  }
  std::optional<SmallVector<int64_t>> getInts(StringRef name) const {
    const auto *a = attr(name);
    if (!a)
      return std::nullopt;
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }
  unsigned numInputs() const { return node->input_size(); }
  bool hasInput(unsigned i) const {
    return i < numInputs() && !node->input(i).empty();
  }
  /// The i-th input (null if absent: optional inputs may be empty names).
  TensorInfo *input(unsigned i) {
    if (!hasInput(i))
      return nullptr;
    auto it = values.find(node->input(i));
    return it == values.end() ? nullptr : &it->second;
  }
  FailureOr<TensorInfo *> requireInput(unsigned i) {
    if (TensorInfo *t = input(i))
      return t;
    nodeError() << "input " << i << " is missing";
    return failure();
  }
  /// The elements of a shape operand, or a located "depends on data" error.
  FailureOr<SmallVector<SymExpr>> getElements(unsigned i, StringRef what);
  /// Constant integer elements of a shape operand.
  FailureOr<SmallVector<int64_t>> getConstInts(unsigned i, StringRef what);
  std::optional<double> getConstScalar(TensorInfo &t);
  unsigned numOutputs() const { return node->output_size(); }
  bool outputUsed(unsigned i) const {
    return i < numOutputs() && !node->output(i).empty();
  }
  void setOutput(unsigned i, TensorInfo info) {
    if (outputUsed(i))
      values[node->output(i)] = std::move(info);
  }
  /// Sets output 0 to `r` if it succeeded.
  LogicalResult setResult(FailureOr<TensorInfo> r) {
    if (failed(r))
      return failure();
    setOutput(0, std::move(*r));
    return success();
  }
  LogicalResult onlyFirstOutput() {
    for (unsigned i = 1; i < numOutputs(); ++i)
      if (outputUsed(i))
        return unsupported("optional output " + Twine(i));
    return success();
  }

  // Symbols and sizes.
  SymExpr freshSymbol(StringRef key, Value size);
  Value materialize(const SymExpr &e);
  OpFoldResult foldResult(const SymExpr &e) {
    if (auto c = e.getConstant())
      return b.getIndexAttr(*c);
    return materialize(e);
  }
  SmallVector<OpFoldResult> foldResults(ArrayRef<SymExpr> shape) {
    return llvm::map_to_vector(shape,
                               [&](const SymExpr &e) { return foldResult(e); });
  }
  RankedTensorType getType(ArrayRef<SymExpr> shape, Type elementType) const {
    SmallVector<int64_t> dims;
    for (const SymExpr &e : shape)
      dims.push_back(e.getConstant().value_or(ShapedType::kDynamic));
    return RankedTensorType::get(dims, elementType);
  }
  Value get(TensorInfo &t);
  TensorInfo makeInfo(Value v, SymShape shape) {
    TensorInfo t;
    t.value = v;
    t.elementType = cast<RankedTensorType>(v.getType()).getElementType();
    t.shape = std::move(shape);
    return t;
  }
  TensorInfo makeShapeValue(SmallVector<SymExpr> elements, bool scalar,
                            Type elementType) {
    TensorInfo t;
    t.elementType = elementType;
    if (!scalar)
      t.shape.push_back(SymExpr::constant(elements.size()));
    t.elements = std::move(elements);
    return t;
  }
  TensorInfo makeConstant(DenseElementsAttr attr);

  // Emission helpers.
  Value emitEmpty(ArrayRef<SymExpr> shape, Type elementType) {
    return tensor::EmptyOp::create(b, loc, foldResults(shape), elementType);
  }
  Value emitFill(ArrayRef<SymExpr> shape, Type elementType, Value scalar) {
    Value empty = emitEmpty(shape, elementType);
    return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
        .getResult(0);
  }
  Value scalarConst(Type type, double value);
  FailureOr<SymShape> broadcast(ArrayRef<SymShape> shapes);
  using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;
  FailureOr<TensorInfo> emitMap(ArrayRef<TensorInfo *> ins, Type outType,
                                BodyFn body,
                                const SymShape *outShape = nullptr);
  Value convertScalar(OpBuilder &ob, Location l, Value v, Type to);
  Value reduceInit(Type type, ReduceKind kind);
  FailureOr<TensorInfo> emitReduce(TensorInfo &x, ArrayRef<int64_t> axes,
                                   bool keepDims, ReduceKind kind);
  FailureOr<TensorInfo> reshape(TensorInfo &x, const SymShape &target);
  FailureOr<TensorInfo> binary(StringRef op, TensorInfo &a, TensorInfo &b);
  TensorInfo emitBatchedMatmul(TensorInfo &a, TensorInfo &c,
                               const SymShape &batch, const SymShape &outShape);
  std::optional<TensorInfo> foldBinaryShapeValues(StringRef op, TensorInfo &x,
                                                  TensorInfo &y);
  FailureOr<TensorInfo> unary(StringRef op, TensorInfo &x, float alpha = 0,
                              float beta = 0);
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
      nodeError() << "axis " << axis << " is out of range for rank " << rank;
      return failure();
    }
    return axis < 0 ? axis + rank : axis;
  }
  FailureOr<TensorInfo> extractSlice(TensorInfo &x, ArrayRef<SymExpr> offsets,
                                     ArrayRef<SymExpr> sizes,
                                     ArrayRef<int64_t> strides);

  TensorInfo expandByIndexing(TensorInfo &x,
                              ArrayRef<ReassociationIndices> groups,
                              const SymShape &target);
  TensorInfo emitGatherFrom(
      TensorInfo &x, const SymShape &shape,
      function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
          source);
  FailureOr<TensorInfo> emitSlice(TensorInfo &x, ArrayRef<SymExpr> offsets,
                                  ArrayRef<SymExpr> sizes,
                                  ArrayRef<int64_t> strides);
  LogicalResult getSliceOperands(SmallVector<SymExpr> &starts,
                                 SmallVector<SymExpr> &ends,
                                 SmallVector<int64_t> &axes,
                                 SmallVector<int64_t> &steps);
  FailureOr<SmallVector<int64_t>> getPadAmounts(int64_t rank);
  LogicalResult emitEinsum(ArrayRef<TensorInfo *> ins,
                           ArrayRef<EinsumTerm> labels, const EinsumTerm &out);
  FailureOr<SmallVector<ResizeAxis>> getResizeAxes(TensorInfo &x,
                                                   SymShape &resizeShape);
  TensorInfo emitLinearResize(TensorInfo &x, const SymShape &shape,
                              ArrayRef<ResizeAxis> axes, StringRef transform,
                              ArrayRef<Value> sizes);
  // Windows (Conv and pooling).
  LogicalResult resolveSamePads(Window &w, size_t d, const SymExpr &size,
                                bool upper);
  LogicalResult resolveCeilMode(Window &w, size_t d, const SymExpr &size);
  FailureOr<Window> getWindow(ArrayRef<int64_t> kernel,
                              ArrayRef<SymExpr> spatial);
  SymExpr windowOutput(const Window &w, size_t d, const SymExpr &size);
  Value padSpatial(Value in, SymShape &shape, const Window &w, Value value);
  FailureOr<TensorInfo>
  as2D(ArrayRef<TensorInfo *> operands, const Window &w,
       function_ref<FailureOr<TensorInfo>(ArrayRef<TensorInfo *>,
                                          const Window &)>
           emit2D);
  FailureOr<TensorInfo> emitConv(TensorInfo &x, TensorInfo &w,
                                 const Window &win, int64_t group);
  FailureOr<TensorInfo> emitPool(TensorInfo &x, const Window &win, bool isMax,
                                 bool countIncludePad);

  // Op handlers (one per ONNX op or family).
  LogicalResult importConstant(const onnx::NodeProto &);
  LogicalResult importIdentity(const onnx::NodeProto &);
  LogicalResult importUnary(const onnx::NodeProto &);
  LogicalResult importBinary(const onnx::NodeProto &);
  LogicalResult importVariadic(const onnx::NodeProto &);
  LogicalResult importWhere(const onnx::NodeProto &);
  LogicalResult importCast(const onnx::NodeProto &);
  LogicalResult importClip(const onnx::NodeProto &);
  LogicalResult importActivation(const onnx::NodeProto &);
  LogicalResult importShape(const onnx::NodeProto &);
  LogicalResult importReshape(const onnx::NodeProto &);
  LogicalResult importFlatten(const onnx::NodeProto &);
  LogicalResult importUnsqueeze(const onnx::NodeProto &);
  LogicalResult importSqueeze(const onnx::NodeProto &);
  LogicalResult importTranspose(const onnx::NodeProto &);
  LogicalResult importConcat(const onnx::NodeProto &);
  LogicalResult importSlice(const onnx::NodeProto &);
  LogicalResult importSplit(const onnx::NodeProto &);
  LogicalResult importGather(const onnx::NodeProto &);
  LogicalResult importExpand(const onnx::NodeProto &);
  LogicalResult importConstantOfShape(const onnx::NodeProto &);
  LogicalResult importRange(const onnx::NodeProto &);
  LogicalResult importTrilu(const onnx::NodeProto &);
  LogicalResult importMatMul(const onnx::NodeProto &);
  LogicalResult importGemm(const onnx::NodeProto &);
  /// The transpose of a matrix (computed here for a constant).
  TensorInfo transposeMatrix(TensorInfo &t);
  /// The accumulator of Gemm's matmul: `bias` broadcast over the rows when
  /// it is a row of `shape` (`biasAdded` set), else zeros.
  Value emitGemmAccumulator(TensorInfo *bias, const SymShape &shape, Type type,
                            bool &biasAdded);
  LogicalResult importSoftmax(const onnx::NodeProto &);
  LogicalResult importReduce(const onnx::NodeProto &);
  LogicalResult importLayerNorm(const onnx::NodeProto &);
  LogicalResult importBatchNorm(const onnx::NodeProto &);
  LogicalResult importConv(const onnx::NodeProto &);
  LogicalResult importPool(const onnx::NodeProto &);
  LogicalResult importGlobalPool(const onnx::NodeProto &);
  LogicalResult importDataDependent(const onnx::NodeProto &);
  LogicalResult importArgReduce(const onnx::NodeProto &);
  LogicalResult importTile(const onnx::NodeProto &);
  LogicalResult importPad(const onnx::NodeProto &);
  LogicalResult importEinsum(const onnx::NodeProto &);
  LogicalResult importResize(const onnx::NodeProto &);

  MLIRContext *ctx;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  StringRef fileName, modelDir;
  const OnnxImportOptions &options;
  ArrayRef<std::pair<unsigned, unsigned>> nodeLines;
  OpBuilder b;
  Location loc;
  const onnx::NodeProto *node = nullptr;
  int64_t opset = 0;

  llvm::StringMap<TensorInfo> values;
  /// Each symbol's size (index), valid everywhere after the function entry.
  SmallVector<Value> symbolValues;
  SmallVector<std::string> symbolNames;
  llvm::StringMap<unsigned> symbolsByKey;
  llvm::StringMap<Value> materialized;
  /// --dims renames ('input:axis' -> name) and --static pins.
  llvm::StringMap<std::string> dimRenames;
  llvm::StringMap<int64_t> staticDims;
};

//===----------------------------------------------------------------------===//
// Symbols and values
//===----------------------------------------------------------------------===//

SymExpr Importer::freshSymbol(StringRef key, Value size) {
  auto it = symbolsByKey.find(key);
  if (it != symbolsByKey.end())
    return SymExpr::symbol(it->second);
  unsigned id = symbolValues.size();
  symbolValues.push_back(size);
  symbolNames.push_back(key.str());
  symbolsByKey[key] = id;
  return SymExpr::symbol(id);
}

Value Importer::materialize(const SymExpr &e) {
  if (auto c = e.getConstant())
    return arith::ConstantIndexOp::create(b, loc, *c);
  std::string key = e.key();
  if (Value v = materialized.lookup(key))
    return v;
  Value sum;
  for (const auto &[mono, coeff] : e.getTerms()) {
    Value prod;
    if (coeff != 1 || mono.empty())
      prod = arith::ConstantIndexOp::create(b, loc, coeff);
    for (unsigned sym : mono)
      prod = prod ? arith::MulIOp::create(b, loc, prod, symbolValues[sym])
                        .getResult()
                  : symbolValues[sym];
    sum = sum ? arith::AddIOp::create(b, loc, sum, prod).getResult() : prod;
  }
  materialized[key] = sum;
  return sum;
}

Value Importer::scalarConst(Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, FloatAttr::get(ft, value));
  return arith::ConstantOp::create(
      b, loc, IntegerAttr::get(type, static_cast<int64_t>(value)));
}

TensorInfo Importer::makeConstant(DenseElementsAttr attr) {
  TensorInfo t;
  auto type = cast<RankedTensorType>(attr.getType());
  t.elementType = type.getElementType();
  for (int64_t d : type.getShape())
    t.shape.push_back(SymExpr::constant(d));
  t.constant = attr;
  if (type.getRank() <= 1 && type.getNumElements() <= 64 &&
      isa<IntegerType>(t.elementType) && !t.elementType.isInteger(1)) {
    SmallVector<SymExpr> elements;
    for (const APInt &v : attr.getValues<APInt>())
      elements.push_back(SymExpr::constant(v.getSExtValue()));
    t.elements = std::move(elements);
  }
  return t;
}

Value Importer::get(TensorInfo &t) {
  if (t.value)
    return t.value;
  if (t.constant) {
    t.value = arith::ConstantOp::create(b, loc, t.constant);
    return t.value;
  }
  // A shape value: its elements are index expressions.
  SmallVector<Value> elements;
  for (const SymExpr &e : *t.elements) {
    Value v = materialize(e);
    elements.push_back(arith::IndexCastOp::create(b, loc, t.elementType, v));
  }
  t.value = tensor::FromElementsOp::create(
      b, loc, getType(t.shape, t.elementType), elements);
  return t.value;
}

FailureOr<SmallVector<SymExpr>> Importer::getElements(unsigned i,
                                                      StringRef what) {
  TensorInfo *t = input(i);
  if (!t) {
    nodeError() << "the " << what << " operand is missing";
    return failure();
  }
  if (!t->elements) {
    (void)dataDependent("the " + what.str());
    return failure();
  }
  return *t->elements;
}

FailureOr<SmallVector<int64_t>> Importer::getConstInts(unsigned i,
                                                       StringRef what) {
  FailureOr<SmallVector<SymExpr>> elements = getElements(i, what);
  if (failed(elements))
    return failure();
  SmallVector<int64_t> result;
  for (const SymExpr &e : *elements) {
    std::optional<int64_t> c = e.getConstant();
    if (!c) {
      (void)unsupported("symbolic " + what + " (they must be constants)");
      return failure();
    }
    result.push_back(*c);
  }
  return result;
}

std::optional<double> Importer::getConstScalar(TensorInfo &t) {
  if (!t.constant || t.constant.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(t.elementType))
    return (*t.constant.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>(
      (*t.constant.getValues<APInt>().begin()).getSExtValue());
}

//===----------------------------------------------------------------------===//
// Emission helpers
//===----------------------------------------------------------------------===//

/// Multidirectional (numpy) broadcasting. A symbolic dimension is assumed
/// not to be 1 at run time where the other operand's is larger: dynamic
/// dimensions are sizes to bucket, not broadcast axes.
FailureOr<SymShape> Importer::broadcast(ArrayRef<SymShape> shapes) {
  size_t rank = 0;
  for (const SymShape &s : shapes)
    rank = std::max(rank, s.size());
  SymShape result(rank, SymExpr::constant(1));
  for (const SymShape &s : shapes) {
    for (size_t d = 0; d < s.size(); ++d) {
      SymExpr &r = result[rank - s.size() + d];
      const SymExpr &e = s[d];
      if (e.isConstant(1) || e == r)
        continue;
      if (r.isConstant(1)) {
        r = e;
        continue;
      }
      if (e.getConstant() && r.getConstant()) {
        nodeError() << "operands cannot be broadcast: sizes "
                    << *r.getConstant() << " and " << *e.getConstant();
        return failure();
      }
      // One is symbolic: keep a constant size when there is one.
      if (e.getConstant())
        r = e;
    }
  }
  return result;
}

FailureOr<TensorInfo> Importer::emitMap(ArrayRef<TensorInfo *> ins,
                                        Type outType, BodyFn body,
                                        const SymShape *outShape) {
  SymShape shape;
  if (outShape) {
    shape = *outShape;
  } else {
    SmallVector<SymShape> shapes;
    for (TensorInfo *t : ins)
      shapes.push_back(t->shape);
    FailureOr<SymShape> bshape = broadcast(shapes);
    if (failed(bshape))
      return failure();
    shape = *bshape;
  }
  unsigned rank = shape.size();
  SmallVector<AffineMap> maps;
  SmallVector<Value> operands;
  for (TensorInfo *t : ins) {
    SmallVector<AffineExpr> exprs;
    unsigned r = t->getRank();
    for (unsigned d = 0; d < r; ++d) {
      unsigned od = rank - r + d;
      if (t->shape[d].isConstant(1) && !shape[od].isConstant(1))
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(od));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    operands.push_back(get(*t));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = emitEmpty(shape, outType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), operands, ValueRange{init}, maps, iterators,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value result = body(ob, l, args.drop_back());
        linalg::YieldOp::create(ob, l, result);
      });
  return makeInfo(generic.getResult(0), shape);
}

Value Importer::convertScalar(OpBuilder &ob, Location l, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth()
               ? arith::ExtFOp::create(ob, l, to, v).getResult()
               : arith::TruncFOp::create(ob, l, to, v).getResult();
  if (to.isInteger(1)) {
    Value zero =
        fromF ? arith::ConstantOp::create(ob, l, FloatAttr::get(fromF, 0))
                    .getResult()
              : arith::ConstantOp::create(ob, l, IntegerAttr::get(from, 0))
                    .getResult();
    return fromF
               ? arith::CmpFOp::create(ob, l, arith::CmpFPredicate::UNE, v,
                                       zero)
                     .getResult()
               : arith::CmpIOp::create(ob, l, arith::CmpIPredicate::ne, v, zero)
                     .getResult();
  }
  if (fromF)
    return arith::FPToSIOp::create(ob, l, to, v);
  bool isBool = from.isInteger(1);
  if (toF)
    return isBool ? arith::UIToFPOp::create(ob, l, to, v).getResult()
                  : arith::SIToFPOp::create(ob, l, to, v).getResult();
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return isBool ? arith::ExtUIOp::create(ob, l, to, v).getResult()
                  : arith::ExtSIOp::create(ob, l, to, v).getResult();
  return arith::TruncIOp::create(ob, l, to, v);
}

/// The identity of a reduction: 0, 1, or the lowest (highest) value.
Value Importer::reduceInit(Type type, ReduceKind kind) {
  if (kind != ReduceKind::Max && kind != ReduceKind::Min)
    return scalarConst(type, kind == ReduceKind::Prod ? 1 : 0);
  bool max = kind == ReduceKind::Max;
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        FloatAttr::get(ft, APFloat::getInf(ft.getFloatSemantics(),
                                           /*Negative=*/max)));
  unsigned w = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      IntegerAttr::get(type, max ? APInt::getSignedMinValue(w)
                                 : APInt::getSignedMaxValue(w)));
}

/// One step of a reduction: the accumulator combined with a value.
static Value reduceCombine(OpBuilder &ob, Location l, Importer::ReduceKind kind,
                           Value acc, Value v) {
  bool isFloat = isa<FloatType>(v.getType());
  switch (kind) {
  case Importer::ReduceKind::Sum:
  case Importer::ReduceKind::Mean:
    return isFloat ? arith::AddFOp::create(ob, l, acc, v).getResult()
                   : arith::AddIOp::create(ob, l, acc, v).getResult();
  case Importer::ReduceKind::Prod:
    return isFloat ? arith::MulFOp::create(ob, l, acc, v).getResult()
                   : arith::MulIOp::create(ob, l, acc, v).getResult();
  case Importer::ReduceKind::Max:
    return isFloat ? arith::MaximumFOp::create(ob, l, acc, v).getResult()
                   : arith::MaxSIOp::create(ob, l, acc, v).getResult();
  case Importer::ReduceKind::Min:
    return isFloat ? arith::MinimumFOp::create(ob, l, acc, v).getResult()
                   : arith::MinSIOp::create(ob, l, acc, v).getResult();
  }
  llvm_unreachable("unknown reduction");
}

FailureOr<TensorInfo> Importer::emitReduce(TensorInfo &x,
                                           ArrayRef<int64_t> axes,
                                           bool keepDims, ReduceKind kind) {
  Type type = x.elementType;
  bool isFloat = isa<FloatType>(type);
  if (!isFloat && kind == ReduceKind::Mean) {
    (void)unsupported("integer mean");
    return failure();
  }
  unsigned rank = x.getRank();
  llvm::SmallBitVector reduced(rank);
  for (int64_t a : axes)
    reduced.set(a);
  SymShape outShape, keptShape;
  SmallVector<AffineExpr> outExprs;
  SymExpr count = SymExpr::constant(1);
  for (unsigned d = 0; d < rank; ++d) {
    if (reduced.test(d)) {
      count = count * x.shape[d];
      keptShape.push_back(SymExpr::constant(1));
      continue;
    }
    outShape.push_back(x.shape[d]);
    keptShape.push_back(x.shape[d]);
    outExprs.push_back(b.getAffineDimExpr(d));
  }
  Value init = reduceInit(type, kind);
  Value out = emitFill(outShape, type, init);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < rank; ++d)
    iterators.push_back(reduced.test(d) ? utils::IteratorType::reduction
                                        : utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, out.getType(), ValueRange{get(x)}, ValueRange{out}, maps,
      iterators, [&](OpBuilder &ob, Location l, ValueRange args) {
        linalg::YieldOp::create(ob, l,
                                reduceCombine(ob, l, kind, args[1], args[0]));
      });
  TensorInfo result = makeInfo(generic.getResult(0), outShape);
  if (kind == ReduceKind::Mean) {
    // The divisor is the reduced size itself (an index expression over the
    // dimensions), so the padding repair can substitute the real size.
    Value n = materialize(count);
    Value ni = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
    Value nf = arith::SIToFPOp::create(b, loc, type, ni);
    FailureOr<TensorInfo> div = emitMap(
        {&result}, type, [&](OpBuilder &ob, Location l, ValueRange args) {
          return arith::DivFOp::create(ob, l, args[0], nf).getResult();
        });
    if (failed(div))
      return failure();
    result = *div;
  }
  if (keepDims && !axes.empty())
    return reshape(result, keptShape);
  return result;
}

/// Groups source and target dimensions whose products are equal
/// symbolically (trailing unit dimensions join the last group); false if
/// the shapes do not match group by group.
static bool
matchReshapeGroups(const SymShape &src, const SymShape &target,
                   SmallVectorImpl<ReassociationIndices> &inGroups,
                   SmallVectorImpl<ReassociationIndices> &outGroups) {
  size_t i = 0, j = 0, nIn = src.size(), nOut = target.size();
  while (i < nIn && j < nOut) {
    ReassociationIndices ig{static_cast<int64_t>(i)},
        og{static_cast<int64_t>(j)};
    SymExpr pIn = src[i++], pOut = target[j++];
    while (pIn != pOut) {
      if (j < nOut && pIn.divExact(pOut)) {
        pOut = pOut * target[j];
        og.push_back(j++);
      } else if (i < nIn && pOut.divExact(pIn)) {
        pIn = pIn * src[i];
        ig.push_back(i++);
      } else {
        return false;
      }
    }
    inGroups.push_back(ig);
    outGroups.push_back(og);
  }
  bool matched = true;
  for (; i < nIn; ++i) {
    matched &= src[i].isConstant(1);
    inGroups.back().push_back(i);
  }
  for (; j < nOut; ++j) {
    matched &= target[j].isConstant(1);
    outGroups.back().push_back(j);
  }
  return matched;
}

/// Reshapes by matching groups of source and target dimensions whose
/// products are equal symbolically; each group collapses to one dimension
/// and expands again. Sizes the grouping cannot match fall back to a single
/// group (still exact, but ties fewer dimensions for the analysis).
FailureOr<TensorInfo> Importer::reshape(TensorInfo &x, const SymShape &target) {
  const SymShape &src = x.shape;
  if (src == target)
    return x;
  if (x.elements) {
    // Shape values keep their elements: only the rank 0/1 changes.
    TensorInfo t = x;
    t.value = {};
    t.shape = target;
    return t;
  }
  Value v = get(x);
  RankedTensorType outType = getType(target, x.elementType);
  if (src.empty() || target.empty()) {
    // Rank 0 to all-ones or back: an empty reassociation.
    SmallVector<ReassociationIndices> none;
    Value r = src.empty()
                  ? tensor::ExpandShapeOp::create(b, loc, outType, v, none,
                                                  foldResults(target))
                        .getResult()
                  : tensor::CollapseShapeOp::create(b, loc, outType, v, none)
                        .getResult();
    return makeInfo(r, target);
  }
  size_t nIn = src.size(), nOut = target.size();
  SmallVector<ReassociationIndices> inGroups, outGroups;
  if (!matchReshapeGroups(src, target, inGroups, outGroups)) {
    inGroups.assign(1, llvm::to_vector(llvm::seq<int64_t>(0, nIn)));
    outGroups.assign(1, llvm::to_vector(llvm::seq<int64_t>(0, nOut)));
  }
  SymShape mid;
  for (const ReassociationIndices &g : inGroups) {
    SymExpr p = SymExpr::constant(1);
    for (int64_t d : g)
      p = p * src[d];
    mid.push_back(p);
  }
  if (inGroups.size() != nIn)
    v = tensor::CollapseShapeOp::create(b, loc, getType(mid, x.elementType), v,
                                        inGroups);
  bool twoDynamicInAGroup =
      llvm::any_of(outGroups, [&](const ReassociationIndices &g) {
        return llvm::count_if(
                   g, [&](int64_t d) { return !target[d].getConstant(); }) > 1;
      });
  if (outGroups.size() != nOut && twoDynamicInAGroup) {
    TensorInfo collapsed = makeInfo(v, mid);
    return expandByIndexing(collapsed, outGroups, target);
  }
  if (outGroups.size() != nOut) {
    // A size the group keeps from its source dimension is read from the
    // source (`tensor.dim`): that is what ties the two for the dimension
    // analysis when unit dimensions join the group.
    SmallVector<OpFoldResult> sizes = foldResults(target);
    for (auto [k, group] : llvm::enumerate(outGroups))
      for (int64_t d : group)
        if (!target[d].getConstant() && target[d] == mid[k])
          sizes[d] = tensor::DimOp::create(b, loc, v, k).getResult();
    v = tensor::ExpandShapeOp::create(b, loc, outType, v, outGroups, sizes);
  } else if (v.getType() != outType)
    v = tensor::CastOp::create(b, loc, outType, v);
  return makeInfo(v, target);
}

/// Expands `x` into `target` (`groups` of target dimensions per dimension
/// of `x`) by index arithmetic, a copy: MLIR 22's expand-strided-metadata
/// crashes on a memref.expand_shape with two dynamic sizes in one group,
/// such as nn.MultiheadAttention's [seq*batch, 32] -> [seq, batch, 32].
TensorInfo Importer::expandByIndexing(TensorInfo &x,
                                      ArrayRef<ReassociationIndices> groups,
                                      const SymShape &target) {
  SmallVector<Value> sizes = llvm::map_to_vector(
      target, [&](const SymExpr &e) { return materialize(e); });
  return emitGatherFrom(
      x, target, [&](OpBuilder &ob, Location l, ValueRange position) {
        SmallVector<Value> coords;
        for (const ReassociationIndices &g : groups) {
          Value linear = position[g.front()];
          for (int64_t d : ArrayRef<int64_t>(g).drop_front())
            linear = arith::AddIOp::create(
                ob, l, arith::MulIOp::create(ob, l, linear, sizes[d]),
                position[d]);
          coords.push_back(linear);
        }
        return coords;
      });
}

FailureOr<TensorInfo> Importer::extractSlice(TensorInfo &x,
                                             ArrayRef<SymExpr> offsets,
                                             ArrayRef<SymExpr> sizes,
                                             ArrayRef<int64_t> strides) {
  // An empty slice may start at the end, where tensor.extract_slice does
  // not allow an offset: it is just an empty tensor.
  if (llvm::any_of(sizes, [](const SymExpr &e) { return e.isConstant(0); }))
    return makeInfo(emitEmpty(sizes, x.elementType),
                    SymShape(sizes.begin(), sizes.end()));
  SmallVector<OpFoldResult> s;
  for (int64_t st : strides)
    s.push_back(b.getIndexAttr(st));
  auto type = getType(sizes, x.elementType);
  Value r = tensor::ExtractSliceOp::create(
      b, loc, type, get(x), foldResults(offsets), foldResults(sizes), s);
  return makeInfo(r, SymShape(sizes.begin(), sizes.end()));
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
static Value createUnary(OpBuilder &b, Location l, Value v) {
  return OpTy::create(b, l, v);
}

/// The unary ops that are one op of the math dialect, or null.
static Value emitMathUnary(OpBuilder &ob, Location l, StringRef op, Value v) {
  using UnaryFn = Value (*)(OpBuilder &, Location, Value);
  static const llvm::StringMap<UnaryFn> simple = {
      {"Tanh", createUnary<math::TanhOp>},
      {"Erf", createUnary<math::ErfOp>},
      {"Sqrt", createUnary<math::SqrtOp>},
      {"Exp", createUnary<math::ExpOp>},
      {"Log", createUnary<math::LogOp>},
      {"Floor", createUnary<math::FloorOp>},
      {"Ceil", createUnary<math::CeilOp>},
      {"Round", createUnary<math::RoundEvenOp>},
      {"Sin", createUnary<math::SinOp>},
      {"Cos", createUnary<math::CosOp>},
  };
  auto it = simple.find(op);
  return it == simple.end() ? Value() : it->second(ob, l, v);
}

/// The body of a float-only elementwise op; `alpha` and `beta` are its
/// attributes (LeakyRelu's slope, HardSigmoid's line, Selu's gamma as beta).
static Value emitFloatUnary(OpBuilder &ob, Location l, StringRef op, Value v,
                            float alpha, float beta) {
  Type type = v.getType();
  auto fc = [&](double c) -> Value {
    return arith::ConstantOp::create(ob, l, FloatAttr::get(type, c));
  };
  auto lessThanZero = [&](Value x) -> Value {
    return arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OLT, x, fc(0));
  };
  // min(1, max(0, a * x + b)), the hard sigmoid.
  auto hardSigmoid = [&](Value x, double a, double c) -> Value {
    Value y = arith::AddFOp::create(
        ob, l, arith::MulFOp::create(ob, l, x, fc(a)), fc(c));
    return arith::MinimumFOp::create(
        ob, l, arith::MaximumFOp::create(ob, l, y, fc(0)), fc(1));
  };
  auto expm1 = [&](Value x) -> Value {
    return arith::SubFOp::create(ob, l, math::ExpOp::create(ob, l, x), fc(1));
  };
  if (Value r = emitMathUnary(ob, l, op, v))
    return r;
  if (op == "Reciprocal")
    return arith::DivFOp::create(ob, l, fc(1), v);
  if (op == "Sigmoid")
    return arith::DivFOp::create(
        ob, l, fc(1),
        arith::AddFOp::create(
            ob, l, fc(1),
            math::ExpOp::create(ob, l, arith::NegFOp::create(ob, l, v))));
  if (op == "LeakyRelu")
    return arith::SelectOp::create(
        ob, l, lessThanZero(v), arith::MulFOp::create(ob, l, v, fc(alpha)), v);
  if (op == "HardSigmoid")
    return hardSigmoid(v, alpha, beta);
  if (op == "HardSwish")
    return arith::MulFOp::create(ob, l, v, hardSigmoid(v, 1.0 / 6, 0.5));
  if (op == "Softplus")
    return math::Log1pOp::create(ob, l, math::ExpOp::create(ob, l, v));
  if (op == "Softsign")
    return arith::DivFOp::create(
        ob, l, v,
        arith::AddFOp::create(ob, l, fc(1), math::AbsFOp::create(ob, l, v)));
  if (op == "Elu")
    return arith::SelectOp::create(
        ob, l, lessThanZero(v),
        arith::MulFOp::create(ob, l, expm1(v), fc(alpha)), v);
  if (op == "Selu") {
    Value le =
        arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OLE, v, fc(0));
    Value neg = arith::MulFOp::create(ob, l, expm1(v), fc(alpha));
    return arith::MulFOp::create(
        ob, l, arith::SelectOp::create(ob, l, le, neg, v), fc(beta));
  }
  if (op == "Celu") {
    Value scaled = arith::DivFOp::create(ob, l, v, fc(alpha));
    Value neg = arith::MulFOp::create(ob, l, expm1(scaled), fc(alpha));
    return arith::AddFOp::create(ob, l,
                                 arith::MaximumFOp::create(ob, l, v, fc(0)),
                                 arith::MinimumFOp::create(ob, l, neg, fc(0)));
  }
  assert(op == "ThresholdedRelu" && "float unary op without a body");
  Value above =
      arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OGT, v, fc(alpha));
  return arith::SelectOp::create(ob, l, above, v, fc(0));
}

/// The ops of emitFloatUnary; the attribute defaults are ONNX's.
static const llvm::StringMap<std::pair<float, float>> &getFloatUnaryOps() {
  static const llvm::StringMap<std::pair<float, float>> ops = {
      {"Tanh", {0, 0}},
      {"Erf", {0, 0}},
      {"Sqrt", {0, 0}},
      {"Exp", {0, 0}},
      {"Log", {0, 0}},
      {"Floor", {0, 0}},
      {"Ceil", {0, 0}},
      {"Round", {0, 0}},
      {"Sin", {0, 0}},
      {"Cos", {0, 0}},
      {"Reciprocal", {0, 0}},
      {"Sigmoid", {0, 0}},
      {"LeakyRelu", {0.01f, 0}},
      {"HardSigmoid", {0.2f, 0.5f}},
      {"HardSwish", {0, 0}},
      {"Softplus", {0, 0}},
      {"Softsign", {0, 0}},
      {"Elu", {1.0f, 0}},
      {"Selu", {1.67326319217681884765625f, 1.05070102214813232421875f}},
      {"Celu", {1.0f, 0}},
      {"ThresholdedRelu", {1.0f, 0}}};
  return ops;
}

FailureOr<TensorInfo> Importer::unary(StringRef op, TensorInfo &x, float alpha,
                                      float beta) {
  Type type = x.elementType;
  bool isFloat = isa<FloatType>(type);
  if (getFloatUnaryOps().count(op)) {
    if (!isFloat)
      return (void)unsupported("integer operand"), failure();
    return emitMap({&x}, type, [&](OpBuilder &ob, Location l, ValueRange args) {
      return emitFloatUnary(ob, l, op, args[0], alpha, beta);
    });
  }
  if (op == "Not" && !type.isInteger(1))
    return (void)unsupported("non-boolean operand"), failure();
  auto body = [&](OpBuilder &ob, Location l, ValueRange args) -> Value {
    Value v = args[0];
    Value zero =
        isFloat ? arith::ConstantOp::create(ob, l, FloatAttr::get(type, 0))
                      .getResult()
                : arith::ConstantOp::create(ob, l, IntegerAttr::get(type, 0))
                      .getResult();
    if (op == "Relu")
      return isFloat ? arith::MaximumFOp::create(ob, l, v, zero).getResult()
                     : arith::MaxSIOp::create(ob, l, v, zero).getResult();
    if (op == "Neg")
      return isFloat ? arith::NegFOp::create(ob, l, v).getResult()
                     : arith::SubIOp::create(ob, l, zero, v).getResult();
    if (op == "Abs")
      return isFloat ? math::AbsFOp::create(ob, l, v).getResult()
                     : math::AbsIOp::create(ob, l, v).getResult();
    assert(op == "Not" && "unary op without a body");
    return arith::XOrIOp::create(
        ob, l, v, arith::ConstantOp::create(ob, l, ob.getBoolAttr(true)));
  };
  return emitMap({&x}, type, body);
}

/// Folds integer arithmetic and comparisons on shape values, so that
/// `Shape -> Gather -> Mul/Div -> Concat` stays symbolic.
static std::optional<SmallVector<SymExpr>>
foldShapeBinary(StringRef op, const SmallVector<SymExpr> &a,
                const SmallVector<SymExpr> &b) {
  size_t n = std::max(a.size(), b.size());
  if ((a.size() != n && a.size() != 1) || (b.size() != n && b.size() != 1))
    return std::nullopt;
  SmallVector<SymExpr> result;
  for (size_t k = 0; k < n; ++k) {
    const SymExpr &x = a[a.size() == 1 ? 0 : k];
    const SymExpr &y = b[b.size() == 1 ? 0 : k];
    std::optional<int64_t> cx = x.getConstant(), cy = y.getConstant();
    if (op == "Add")
      result.push_back(x + y);
    else if (op == "Sub")
      result.push_back(x - y);
    else if (op == "Mul")
      result.push_back(x * y);
    else if (op == "Div") {
      if (cx && cy && *cy != 0)
        result.push_back(SymExpr::constant(*cx / *cy));
      else if (auto q = x.divExact(y))
        result.push_back(*q);
      else
        return std::nullopt;
    } else if (op == "Equal") {
      // Symbolic sizes are at least 1: never equal to a constant below 1.
      if (x == y)
        result.push_back(SymExpr::constant(1));
      else if ((cx && cy) || (cx && *cx < 1 && y.isPositiveSymbolic()) ||
               (cy && *cy < 1 && x.isPositiveSymbolic()))
        result.push_back(SymExpr::constant(0));
      else
        return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return result;
}

/// Binary ops on two shape values fold into their elements (comparisons
/// into a boolean constant), or nothing if foldShapeBinary cannot.
std::optional<TensorInfo>
Importer::foldBinaryShapeValues(StringRef op, TensorInfo &x, TensorInfo &y) {
  bool isCompare = op == "Equal" || op == "Less" || op == "LessOrEqual" ||
                   op == "Greater" || op == "GreaterOrEqual";
  std::optional<SmallVector<SymExpr>> folded =
      foldShapeBinary(op, *x.elements, *y.elements);
  if (!folded)
    return std::nullopt;
  SymShape shape = x.getRank() >= y.getRank() ? x.shape : y.shape;
  TensorInfo t;
  t.elementType = isCompare ? b.getI1Type() : x.elementType;
  t.shape = shape;
  if (!shape.empty())
    t.shape[0] = SymExpr::constant(folded->size());
  if (isCompare) {
    // Booleans are not tracked as elements; make them a constant.
    SmallVector<bool> bits;
    for (const SymExpr &e : *folded)
      bits.push_back(!e.isConstant(0));
    t.constant = DenseElementsAttr::get(getType(t.shape, t.elementType),
                                        ArrayRef<bool>(bits));
    return t;
  }
  t.elements = std::move(*folded);
  return t;
}

FailureOr<TensorInfo> Importer::binary(StringRef op, TensorInfo &x,
                                       TensorInfo &y) {
  if (x.elementType != y.elementType)
    return nodeError() << "operand element types differ", failure();
  Type type = x.elementType;
  bool isFloat = isa<FloatType>(type);
  bool isCompare = op == "Equal" || op == "Less" || op == "LessOrEqual" ||
                   op == "Greater" || op == "GreaterOrEqual";
  bool isLogic = op == "And" || op == "Or" || op == "Xor";
  if (isLogic && !type.isInteger(1))
    return (void)unsupported("non-boolean operands"), failure();
  if (op == "Pow" && !isFloat)
    return (void)unsupported("integer Pow"), failure();
  if (x.elements && y.elements)
    if (std::optional<TensorInfo> t = foldBinaryShapeValues(op, x, y))
      return *t;
  // x^2 (LayerNorm's variance at opset 13) as a product, exact and cheap.
  std::optional<double> exponent;
  if (op == "Pow")
    exponent = getConstScalar(y);
  Type outType = isCompare ? b.getI1Type() : type;
  auto body = [&](OpBuilder &ob, Location l, ValueRange args) -> Value {
    Value a = args[0], c = args[1];
    if (op == "Add")
      return isFloat ? arith::AddFOp::create(ob, l, a, c).getResult()
                     : arith::AddIOp::create(ob, l, a, c).getResult();
    if (op == "Sub")
      return isFloat ? arith::SubFOp::create(ob, l, a, c).getResult()
                     : arith::SubIOp::create(ob, l, a, c).getResult();
    if (op == "Mul")
      return isFloat ? arith::MulFOp::create(ob, l, a, c).getResult()
                     : arith::MulIOp::create(ob, l, a, c).getResult();
    if (op == "Div")
      return isFloat ? arith::DivFOp::create(ob, l, a, c).getResult()
                     : arith::DivSIOp::create(ob, l, a, c).getResult();
    if (op == "Pow") {
      if (exponent == 2.0)
        return arith::MulFOp::create(ob, l, a, a);
      if (exponent == 1.0)
        return a;
      return math::PowFOp::create(ob, l, a, c);
    }
    if (op == "And")
      return arith::AndIOp::create(ob, l, a, c);
    if (op == "Or")
      return arith::OrIOp::create(ob, l, a, c);
    if (op == "Xor")
      return arith::XOrIOp::create(ob, l, a, c);
    if (op == "Max")
      return isFloat ? arith::MaximumFOp::create(ob, l, a, c).getResult()
                     : arith::MaxSIOp::create(ob, l, a, c).getResult();
    if (op == "Min")
      return isFloat ? arith::MinimumFOp::create(ob, l, a, c).getResult()
                     : arith::MinSIOp::create(ob, l, a, c).getResult();
    using FP = arith::CmpFPredicate;
    using IP = arith::CmpIPredicate;
    FP fp = llvm::StringSwitch<FP>(op)
                .Case("Equal", FP::OEQ)
                .Case("Less", FP::OLT)
                .Case("LessOrEqual", FP::OLE)
                .Case("Greater", FP::OGT)
                .Default(FP::OGE);
    IP ip = llvm::StringSwitch<IP>(op)
                .Case("Equal", IP::eq)
                .Case("Less", IP::slt)
                .Case("LessOrEqual", IP::sle)
                .Case("Greater", IP::sgt)
                .Default(IP::sge);
    return isFloat ? arith::CmpFOp::create(ob, l, fp, a, c).getResult()
                   : arith::CmpIOp::create(ob, l, ip, a, c).getResult();
  };
  return emitMap({&x, &y}, outType, body);
}

LogicalResult Importer::importUnary(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  return setResult(unary(n.op_type(), **x));
}

LogicalResult Importer::importActivation(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  auto [alpha, beta] = getFloatUnaryOps().lookup(n.op_type());
  // Selu calls its second attribute gamma.
  return setResult(
      unary(n.op_type(), **x, getFloat("alpha", alpha),
            getFloat(n.op_type() == "Selu" ? "gamma" : "beta", beta)));
}

LogicalResult Importer::importBinary(const onnx::NodeProto &n) {
  if (opset < 7 || getInt("broadcast", 0))
    return unsupported("legacy broadcasting (opset < 7)");
  FailureOr<TensorInfo *> x = requireInput(0), y = requireInput(1);
  if (failed(x) || failed(y))
    return failure();
  // Pow's exponent may have another type: the result has the base's.
  TensorInfo exponent;
  if (n.op_type() == "Pow" && (*x)->elementType != (*y)->elementType) {
    Type to = (*x)->elementType;
    if (!isa<FloatType>(to))
      return unsupported("integer Pow");
    FailureOr<TensorInfo> c =
        emitMap({*y}, to, [&](OpBuilder &ob, Location l, ValueRange args) {
          return convertScalar(ob, l, args[0], to);
        });
    if (failed(c))
      return failure();
    exponent = *c;
    *y = &exponent;
  }
  return setResult(binary(n.op_type(), **x, **y));
}

LogicalResult Importer::importVariadic(const onnx::NodeProto &n) {
  StringRef op = n.op_type();
  FailureOr<TensorInfo *> first = requireInput(0);
  if (failed(first))
    return failure();
  TensorInfo acc = **first;
  StringRef combine = op == "Sum" || op == "Mean" ? "Add" : op;
  for (unsigned i = 1; i < numInputs(); ++i) {
    FailureOr<TensorInfo *> next = requireInput(i);
    if (failed(next))
      return failure();
    FailureOr<TensorInfo> r = binary(combine, acc, **next);
    if (failed(r))
      return failure();
    acc = *r;
  }
  if (op == "Mean") {
    if (!isa<FloatType>(acc.elementType))
      return unsupported("integer Mean");
    TensorInfo count = makeConstant(
        DenseElementsAttr::get(RankedTensorType::get({}, acc.elementType),
                               FloatAttr::get(acc.elementType, numInputs())));
    FailureOr<TensorInfo> r = binary("Div", acc, count);
    if (failed(r))
      return failure();
    acc = *r;
  } else if (numInputs() == 1 && !acc.value && !acc.elements) {
    (void)get(acc);
  }
  setOutput(0, acc);
  return success();
}

LogicalResult Importer::importWhere(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> c = requireInput(0), x = requireInput(1),
                          y = requireInput(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  if ((*x)->elementType != (*y)->elementType)
    return nodeError() << "operand element types differ", failure();
  // Where on shape values (Expand's `Where(Equal(shape, -1), 1, shape)`).
  if ((*c)->constant && (*x)->elements && (*y)->elements &&
      (*c)->getRank() <= 1) {
    SmallVector<bool> cond(((*c)->constant).getValues<bool>());
    size_t n =
        std::max({cond.size(), (*x)->elements->size(), (*y)->elements->size()});
    auto pick = [&](ArrayRef<SymExpr> v, size_t k) {
      return v[v.size() == 1 ? 0 : k];
    };
    if ((cond.size() == 1 || cond.size() == n) &&
        ((*x)->elements->size() == 1 || (*x)->elements->size() == n) &&
        ((*y)->elements->size() == 1 || (*y)->elements->size() == n)) {
      SmallVector<SymExpr> result;
      for (size_t k = 0; k < n; ++k)
        result.push_back(cond[cond.size() == 1 ? 0 : k]
                             ? pick(*(*x)->elements, k)
                             : pick(*(*y)->elements, k));
      bool scalar =
          (*c)->getRank() == 0 && (*x)->getRank() == 0 && (*y)->getRank() == 0;
      setOutput(0, makeShapeValue(result, scalar, (*x)->elementType));
      return success();
    }
  }
  if (!(*c)->elementType.isInteger(1))
    return nodeError() << "condition must be boolean", failure();
  return setResult(emitMap(
      {*c, *x, *y}, (*x)->elementType,
      [](OpBuilder &ob, Location l, ValueRange args) -> Value {
        return arith::SelectOp::create(ob, l, args[0], args[1], args[2]);
      }));
}

LogicalResult Importer::importCast(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int to = getInt("to", 0);
  Type toType = getElementType(ctx, to);
  if (!toType)
    return unsupported("cast to " +
                       onnx::TensorProto::DataType_Name(
                           static_cast<onnx::TensorProto::DataType>(to)));
  if ((*x)->elements && isa<IntegerType>(toType) && !toType.isInteger(1)) {
    TensorInfo t = **x;
    t.value = {};
    t.constant = {};
    t.elementType = toType;
    setOutput(0, t);
    return success();
  }
  return setResult(
      emitMap({*x}, toType, [&](OpBuilder &ob, Location l, ValueRange args) {
        return convertScalar(ob, l, args[0], toType);
      }));
}

LogicalResult Importer::importClip(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  Type type = (*x)->elementType;
  if (!isa<FloatType>(type))
    return unsupported("integer Clip");
  std::optional<double> lo, hi;
  if (opset < 11) {
    lo = getFloat("min", -std::numeric_limits<float>::infinity());
    hi = getFloat("max", std::numeric_limits<float>::infinity());
  } else {
    for (unsigned i : {1u, 2u}) {
      if (!hasInput(i))
        continue;
      std::optional<double> v = getConstScalar(*input(i));
      if (!v)
        return unsupported("non-constant Clip bounds");
      (i == 1 ? lo : hi) = v;
    }
  }
  return setResult(
      emitMap({*x}, type, [&](OpBuilder &ob, Location l, ValueRange args) {
        Value v = args[0];
        if (lo)
          v = arith::MaximumFOp::create(
              ob, l, v,
              arith::ConstantOp::create(ob, l, FloatAttr::get(type, *lo)));
        if (hi)
          v = arith::MinimumFOp::create(
              ob, l, v,
              arith::ConstantOp::create(ob, l, FloatAttr::get(type, *hi)));
        return v;
      }));
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

LogicalResult Importer::importConstant(const onnx::NodeProto &) {
  DenseElementsAttr value;
  if (const auto *a = attr("value")) {
    FailureOr<DenseElementsAttr> t = convertTensor(ctx, a->t(), modelDir, loc);
    if (failed(t))
      return failure();
    value = *t;
  } else if (const auto *a = attr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   a->f());
  } else if (const auto *a = attr("value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (const auto *a = attr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(a->i()));
  } else if (const auto *a = attr("value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    return unsupported("Constant without a value, value_float(s) or "
                       "value_int(s) attribute");
  }
  setOutput(0, makeConstant(value));
  return success();
}

LogicalResult Importer::importIdentity(const onnx::NodeProto &n) {
  if (n.op_type() == "Dropout") {
    if (failed(onlyFirstOutput()))
      return failure();
    if (hasInput(2)) {
      std::optional<double> training = getConstScalar(*input(2));
      if (!training || *training != 0)
        return unsupported("Dropout in training mode");
    }
  }
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  setOutput(0, **x);
  return success();
}

LogicalResult Importer::importShape(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  int64_t start = getInt("start", 0), end = getInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  SmallVector<SymExpr> elements;
  for (int64_t d = start; d < end; ++d)
    elements.push_back((*x)->shape[d]);
  setOutput(0, makeShapeValue(elements, /*scalar=*/false, b.getI64Type()));
  return success();
}

LogicalResult Importer::importReshape(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<SymExpr>> shape = getElements(1, "target shape");
  if (failed(shape))
    return failure();
  bool allowZero = getInt("allowzero", 0);
  SymShape target;
  int inferred = -1;
  SymExpr known = SymExpr::constant(1);
  for (auto [k, e] : llvm::enumerate(*shape)) {
    if (e.isConstant(-1)) {
      if (inferred >= 0)
        return nodeError() << "more than one -1 in the target shape", failure();
      inferred = k;
      target.push_back(e);
      continue;
    }
    if (e.isConstant(0) && !allowZero) {
      if (k >= (*x)->shape.size())
        return nodeError() << "0 copies a dimension the input does not have",
               failure();
      target.push_back((*x)->shape[k]);
    } else if (auto c = e.getConstant(); c && *c < 0) {
      return nodeError() << "negative size " << *c << " in the target shape",
             failure();
    } else {
      target.push_back(e);
    }
    known = known * target.back();
  }
  SymExpr total = SymExpr::constant(1);
  for (const SymExpr &e : (*x)->shape)
    total = total * e;
  if (inferred >= 0) {
    std::optional<SymExpr> q = total.divExact(known);
    if (!q)
      return unsupported("reshape: cannot infer the -1 dimension "
                         "symbolically");
    target[inferred] = *q;
  } else {
    SymExpr product = SymExpr::constant(1);
    for (const SymExpr &e : target)
      product = product * e;
    if (product.getConstant() && total.getConstant() && product != total)
      return nodeError() << "reshape changes the number of elements", failure();
  }
  return setResult(reshape(**x, target));
}

LogicalResult Importer::importFlatten(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  int64_t axis = getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return nodeError() << "axis out of range", failure();
  SymExpr outer = SymExpr::constant(1), inner = SymExpr::constant(1);
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) = (d < axis ? outer : inner) * (*x)->shape[d];
  return setResult(reshape(**x, {outer, inner}));
}

LogicalResult Importer::importUnsqueeze(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes;
  if (opset >= 13) {
    FailureOr<SmallVector<int64_t>> a = getConstInts(1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    axes = getInts("axes").value_or(SmallVector<int64_t>{});
  }
  int64_t outRank = (*x)->getRank() + axes.size();
  llvm::SmallBitVector isNew(outRank);
  for (int64_t a : axes) {
    FailureOr<int64_t> na = normalizeAxis(a, outRank);
    if (failed(na))
      return failure();
    isNew.set(*na);
  }
  SymShape target;
  unsigned k = 0;
  for (int64_t d = 0; d < outRank; ++d)
    target.push_back(isNew.test(d) ? SymExpr::constant(1) : (*x)->shape[k++]);
  return setResult(reshape(**x, target));
}

LogicalResult Importer::importSqueeze(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  llvm::SmallBitVector drop(rank);
  std::optional<SmallVector<int64_t>> axes;
  if (opset >= 13) {
    if (hasInput(1)) {
      FailureOr<SmallVector<int64_t>> a = getConstInts(1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    axes = getInts("axes");
  }
  if (axes) {
    for (int64_t a : *axes) {
      FailureOr<int64_t> na = normalizeAxis(a, rank);
      if (failed(na))
        return failure();
      if (!(*x)->shape[*na].isConstant(1))
        return nodeError() << "cannot squeeze dimension " << *na
                           << ", which is not 1",
               failure();
      drop.set(*na);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if ((*x)->shape[d].isConstant(1))
        drop.set(d);
  }
  SymShape target;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop.test(d))
      target.push_back((*x)->shape[d]);
  return setResult(reshape(**x, target));
}

LogicalResult Importer::importTranspose(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  SmallVector<int64_t> perm = getInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
    return nodeError() << "perm is not a permutation of the dimensions",
           failure();
  SymShape shape;
  for (int64_t p : perm)
    shape.push_back((*x)->shape[p]);
  if (rank <= 1) {
    setOutput(0, **x);
    return success();
  }
  Value init = emitEmpty(shape, (*x)->elementType);
  auto op = linalg::TransposeOp::create(b, loc, get(**x), init, perm);
  setOutput(0, makeInfo(op.getResult()[0], shape));
  return success();
}

LogicalResult Importer::importConcat(const onnx::NodeProto &) {
  SmallVector<TensorInfo *> ins;
  for (unsigned i = 0; i < numInputs(); ++i) {
    FailureOr<TensorInfo *> t = requireInput(i);
    if (failed(t))
      return failure();
    ins.push_back(*t);
  }
  if (ins.empty())
    return nodeError() << "no inputs", failure();
  int64_t rank = ins[0]->getRank();
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  if (llvm::all_of(ins, [](TensorInfo *t) { return t->elements; }) &&
      rank == 1) {
    SmallVector<SymExpr> elements;
    for (TensorInfo *t : ins)
      llvm::append_range(elements, *t->elements);
    setOutput(0, makeShapeValue(elements, false, ins[0]->elementType));
    return success();
  }
  SymShape shape = ins[0]->shape;
  shape[*axis] = SymExpr::constant(0);
  for (TensorInfo *t : ins) {
    if (t->getRank() != rank || t->elementType != ins[0]->elementType)
      return nodeError() << "inputs differ in rank or element type", failure();
    shape[*axis] = shape[*axis] + t->shape[*axis];
  }
  Value acc = emitEmpty(shape, ins[0]->elementType);
  SymExpr offset = SymExpr::constant(0);
  for (TensorInfo *t : ins) {
    SmallVector<SymExpr> offsets(rank, SymExpr::constant(0));
    offsets[*axis] = offset;
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    acc = tensor::InsertSliceOp::create(b, loc, get(*t), acc,
                                        foldResults(offsets),
                                        foldResults(t->shape), strides);
    offset = offset + t->shape[*axis];
  }
  setOutput(0, makeInfo(acc, shape));
  return success();
}

/// Slice's starts, ends, axes and steps, from the attributes (opset < 10)
/// or the inputs; axes and steps get their defaults.
LogicalResult Importer::getSliceOperands(SmallVector<SymExpr> &starts,
                                         SmallVector<SymExpr> &ends,
                                         SmallVector<int64_t> &axes,
                                         SmallVector<int64_t> &steps) {
  if (opset < 10) {
    auto s = getInts("starts"), e = getInts("ends");
    if (!s || !e)
      return nodeError() << "missing starts or ends", failure();
    for (int64_t v : *s)
      starts.push_back(SymExpr::constant(v));
    for (int64_t v : *e)
      ends.push_back(SymExpr::constant(v));
    axes = getInts("axes").value_or(SmallVector<int64_t>{});
  } else {
    FailureOr<SmallVector<SymExpr>> s = getElements(1, "starts"),
                                    e = getElements(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    for (auto [i, out] : {std::pair{3u, &axes}, std::pair{4u, &steps}}) {
      if (!hasInput(i))
        continue;
      FailureOr<SmallVector<int64_t>> v =
          getConstInts(i, i == 3 ? "axes" : "steps");
      if (failed(v))
        return failure();
      *out = *v;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return nodeError() << "starts, ends, axes and steps differ in length",
           failure();
  if (llvm::is_contained(steps, 0))
    return nodeError() << "a step of 0", failure();
  return success();
}

/// A Slice bound clamped as ONNX clamps it: into [0, dim] for a positive
/// step and into [-1, dim - 1] for a negative one. Exact for constant sizes;
/// for symbolic sizes, constants count from the end when negative and mean
/// "to the end" when huge, and other bounds are taken as given (the
/// exporters' bounds are never past the end).
static SymExpr resolveSliceBound(const SymExpr &v, const SymExpr &dim,
                                 bool forward) {
  constexpr int64_t kBig = std::numeric_limits<int64_t>::max() / 2;
  std::optional<int64_t> c = v.getConstant(), d = dim.getConstant();
  int64_t lo = forward ? 0 : -1;
  if (c && d) {
    int64_t r = *c < 0 ? *c + *d : *c;
    return SymExpr::constant(std::clamp<int64_t>(r, lo, *d + lo));
  }
  if (c && *c >= kBig)
    return dim + SymExpr::constant(lo);
  if (c && *c <= -kBig)
    return SymExpr::constant(lo);
  if (c && *c < 0)
    return dim + v;
  return v;
}

LogicalResult Importer::importSlice(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  SmallVector<SymExpr> starts, ends;
  SmallVector<int64_t> axes, steps;
  if (failed(getSliceOperands(starts, ends, axes, steps)))
    return failure();
  SmallVector<SymExpr> offsets(rank, SymExpr::constant(0));
  SymShape sizes = (*x)->shape;
  SmallVector<int64_t> strides(rank, 1);
  for (size_t k = 0; k < axes.size(); ++k) {
    FailureOr<int64_t> axis = normalizeAxis(axes[k], rank);
    if (failed(axis))
      return failure();
    const SymExpr &dim = (*x)->shape[*axis];
    bool forward = steps[k] > 0;
    SymExpr start = resolveSliceBound(starts[k], dim, forward);
    SymExpr end = resolveSliceBound(ends[k], dim, forward);
    SymExpr length = forward ? end - start : start - end;
    int64_t step = std::abs(steps[k]);
    if (auto cl = length.getConstant())
      length = SymExpr::constant(std::max<int64_t>(0, (*cl + step - 1) / step));
    else if (step != 1)
      return unsupported("strided Slice of a symbolic size");
    offsets[*axis] = start;
    sizes[*axis] = length;
    strides[*axis] = steps[k];
  }
  return setResult(emitSlice(**x, offsets, sizes, strides));
}

/// A slice with any nonzero strides: shape values pick their elements, a
/// negative stride reads backwards element by element, and the rest is a
/// tensor.extract_slice.
FailureOr<TensorInfo> Importer::emitSlice(TensorInfo &x,
                                          ArrayRef<SymExpr> offsets,
                                          ArrayRef<SymExpr> sizes,
                                          ArrayRef<int64_t> strides) {
  if (x.elements && x.getRank() == 1) {
    std::optional<int64_t> o = offsets[0].getConstant(),
                           n = sizes[0].getConstant();
    if (o && n) {
      SmallVector<SymExpr> elements;
      for (int64_t k = 0; k < *n; ++k)
        elements.push_back((*x.elements)[*o + k * strides[0]]);
      return makeShapeValue(elements, false, x.elementType);
    }
  }
  if (llvm::all_of(strides, [](int64_t s) { return s > 0; }) ||
      llvm::any_of(sizes, [](const SymExpr &e) { return e.isConstant(0); }))
    return extractSlice(x, offsets, sizes, strides);
  SmallVector<Value> starts = llvm::map_to_vector(
      offsets, [&](const SymExpr &e) { return materialize(e); });
  return emitGatherFrom(
      x, SymShape(sizes.begin(), sizes.end()),
      [&](OpBuilder &ob, Location l, ValueRange position) {
        SmallVector<Value> coords;
        for (auto [d, p] : llvm::enumerate(position)) {
          Value step = arith::ConstantIndexOp::create(ob, l, strides[d]);
          coords.push_back(arith::AddIOp::create(
              ob, l, starts[d], arith::MulIOp::create(ob, l, p, step)));
        }
        return coords;
      });
}

LogicalResult Importer::importSplit(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<SymExpr> splits;
  if (opset >= 13 && hasInput(1)) {
    FailureOr<SmallVector<SymExpr>> s = getElements(1, "split");
    if (failed(s))
      return failure();
    splits = *s;
  } else if (auto s = getInts("split")) {
    for (int64_t v : *s)
      splits.push_back(SymExpr::constant(v));
  } else {
    std::optional<SymExpr> part =
        (*x)->shape[*axis].divExact(SymExpr::constant(numOutputs()));
    if (!part)
      return unsupported("Split into parts of unequal or unknown size");
    splits.assign(numOutputs(), *part);
  }
  if (splits.size() != numOutputs())
    return nodeError() << "split sizes do not match the number of outputs",
           failure();
  SymExpr offset = SymExpr::constant(0);
  for (unsigned i = 0; i < numOutputs(); ++i) {
    SmallVector<SymExpr> offsets(rank, SymExpr::constant(0));
    offsets[*axis] = offset;
    SymShape sizes = (*x)->shape;
    sizes[*axis] = splits[i];
    offset = offset + splits[i];
    if (!outputUsed(i))
      continue;
    FailureOr<TensorInfo> r =
        extractSlice(**x, offsets, sizes, SmallVector<int64_t>(rank, 1));
    if (failed(r))
      return failure();
    setOutput(i, *r);
  }
  return success();
}

LogicalResult Importer::importGather(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> data = requireInput(0), indices = requireInput(1);
  if (failed(data) || failed(indices))
    return failure();
  TensorInfo &d = **data, &idx = **indices;
  int64_t rank = d.getRank();
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  if (!isa<IntegerType>(idx.elementType) || idx.elementType.isInteger(1))
    return nodeError() << "indices must be integers", failure();
  // Gather on a shape value (`Shape -> Gather`): pick the expressions.
  if (d.elements && idx.constant && rank == 1 && idx.getRank() <= 1) {
    SmallVector<SymExpr> elements;
    int64_t n = d.elements->size();
    for (const APInt &v : idx.constant.getValues<APInt>()) {
      int64_t k = v.getSExtValue();
      if (k < -n || k >= n)
        return nodeError() << "index " << k << " is out of range", failure();
      elements.push_back((*d.elements)[k < 0 ? k + n : k]);
    }
    setOutput(0, makeShapeValue(elements, idx.getRank() == 0, d.elementType));
    return success();
  }
  int64_t q = idx.getRank();
  SymShape shape(d.shape.begin(), d.shape.begin() + *axis);
  llvm::append_range(shape, idx.shape);
  shape.append(d.shape.begin() + *axis + 1, d.shape.end());
  int64_t outRank = shape.size();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t k = 0; k < q; ++k)
    idxExprs.push_back(b.getAffineDimExpr(*axis + k));
  Value dataValue = get(d);
  Value axisSize = materialize(d.shape[*axis]);
  Value init = emitEmpty(shape, d.elementType);
  SmallVector<AffineMap> maps = {AffineMap::get(outRank, 0, idxExprs, ctx),
                                 b.getMultiDimIdentityMap(outRank)};
  SmallVector<utils::IteratorType> iterators(outRank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{get(idx)}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &ob, Location l, ValueRange args) {
        Value i = arith::IndexCastOp::create(ob, l, ob.getIndexType(), args[0]);
        // Negative indices count from the end.
        Value zero = arith::ConstantIndexOp::create(ob, l, 0);
        Value neg =
            arith::CmpIOp::create(ob, l, arith::CmpIPredicate::slt, i, zero);
        Value wrapped = arith::AddIOp::create(ob, l, i, axisSize);
        i = arith::SelectOp::create(ob, l, neg, wrapped, i);
        SmallVector<Value> coords;
        for (int64_t k = 0; k < *axis; ++k)
          coords.push_back(linalg::IndexOp::create(ob, l, k));
        coords.push_back(i);
        for (int64_t k = *axis + 1; k < rank; ++k)
          coords.push_back(linalg::IndexOp::create(ob, l, k - 1 + q));
        Value v = tensor::ExtractOp::create(ob, l, dataValue, coords);
        linalg::YieldOp::create(ob, l, v);
      });
  setOutput(0, makeInfo(generic.getResult(0), shape));
  return success();
}

LogicalResult Importer::importExpand(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<SymExpr>> target = getElements(1, "target shape");
  if (failed(target))
    return failure();
  SymShape t(target->begin(), target->end());
  FailureOr<SymShape> shape = broadcast({(*x)->shape, t});
  if (failed(shape))
    return failure();
  return setResult(emitMap(
      {*x}, (*x)->elementType,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; }, &*shape));
}

LogicalResult Importer::importConstantOfShape(const onnx::NodeProto &) {
  FailureOr<SmallVector<SymExpr>> shape = getElements(0, "shape");
  if (failed(shape))
    return failure();
  DenseElementsAttr value =
      DenseElementsAttr::get(RankedTensorType::get({1}, b.getF32Type()), 0.0f);
  if (const auto *a = attr("value")) {
    FailureOr<DenseElementsAttr> t = convertTensor(ctx, a->t(), modelDir, loc);
    if (failed(t))
      return failure();
    if (t->getNumElements() != 1)
      return nodeError() << "value must have one element", failure();
    value = *t;
  }
  Type type = value.getElementType();
  SymShape s(shape->begin(), shape->end());
  // A small integer result of constant shape is itself a shape value.
  if (isa<IntegerType>(type) && !type.isInteger(1) && s.size() == 1 &&
      s[0].getConstant() && *s[0].getConstant() <= 64) {
    int64_t v = (*value.getValues<APInt>().begin()).getSExtValue();
    setOutput(0, makeShapeValue(SmallVector<SymExpr>(*s[0].getConstant(),
                                                     SymExpr::constant(v)),
                                false, type));
    return success();
  }
  Value scalar = arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(*value.value_begin<Attribute>()));
  setOutput(0, makeInfo(emitFill(s, type, scalar), s));
  return success();
}

LogicalResult Importer::importRange(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> start = requireInput(0), limit = requireInput(1),
                          delta = requireInput(2);
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  Type type = (*start)->elementType;
  SymExpr size;
  Value startValue, deltaValue;
  if (isa<FloatType>(type)) {
    std::optional<double> s = getConstScalar(**start),
                          l = getConstScalar(**limit),
                          d = getConstScalar(**delta);
    if (!s || !l || !d)
      return dataDependent("the size of a floating-point Range");
    size = SymExpr::constant(std::max<int64_t>(0, std::ceil((*l - *s) / *d)));
    startValue = scalarConst(type, *s);
    deltaValue = scalarConst(type, *d);
  } else {
    FailureOr<SmallVector<SymExpr>> s = getElements(0, "start"),
                                    l = getElements(1, "limit"),
                                    d = getElements(2, "delta");
    if (failed(s) || failed(l) || failed(d))
      return failure();
    std::optional<int64_t> cd = (*d)[0].getConstant();
    if (!cd || *cd == 0)
      return unsupported("Range with a symbolic or zero delta");
    SymExpr span = (*l)[0] - (*s)[0];
    if (auto cs = span.getConstant())
      size = SymExpr::constant(std::max<int64_t>(
          0, *cs > 0 == *cd > 0
                 ? (std::abs(*cs) + std::abs(*cd) - 1) / std::abs(*cd)
                 : 0));
    else if (auto q = span.divExact(SymExpr::constant(*cd)))
      size = *q;
    else
      return unsupported("Range whose size is not an exact quotient");
    // Small constant ranges stay shape values.
    if (auto n = size.getConstant(); n && *n <= 64 && (*s)[0].getConstant()) {
      SmallVector<SymExpr> elements;
      for (int64_t k = 0; k < *n; ++k)
        elements.push_back((*s)[0] + SymExpr::constant(k * *cd));
      setOutput(0, makeShapeValue(elements, false, type));
      return success();
    }
    startValue = arith::IndexCastOp::create(b, loc, type, materialize((*s)[0]));
    deltaValue = scalarConst(type, *cd);
  }
  // Positions: start + i * delta, from linalg.index, never from data.
  SymShape shape{size};
  Value init = emitEmpty(shape, type);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(1)},
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &ob, Location l, ValueRange) {
        Value i = linalg::IndexOp::create(ob, l, 0);
        Value v;
        if (isa<FloatType>(type)) {
          Value ii = arith::IndexCastOp::create(ob, l, ob.getI64Type(), i);
          v = arith::SIToFPOp::create(ob, l, type, ii);
          v = arith::AddFOp::create(
              ob, l, startValue, arith::MulFOp::create(ob, l, v, deltaValue));
        } else {
          v = arith::IndexCastOp::create(ob, l, type, i);
          v = arith::AddIOp::create(
              ob, l, startValue, arith::MulIOp::create(ob, l, v, deltaValue));
        }
        linalg::YieldOp::create(ob, l, v);
      });
  setOutput(0, makeInfo(generic.getResult(0), shape));
  return success();
}

LogicalResult Importer::importTrilu(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t k = 0;
  if (hasInput(1)) {
    FailureOr<SmallVector<int64_t>> kv = getConstInts(1, "k");
    if (failed(kv))
      return failure();
    k = kv->empty() ? 0 : (*kv)[0];
  }
  int64_t rank = (*x)->getRank();
  if (rank < 2)
    return nodeError() << "input rank must be at least 2", failure();
  bool upper = getInt("upper", 1);
  Type type = (*x)->elementType;
  // A mask from positions (linalg.index), so padding the matrix keeps it.
  return setResult(
      emitMap({*x}, type, [&](OpBuilder &ob, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(ob, l, rank - 2);
        Value j = linalg::IndexOp::create(ob, l, rank - 1);
        Value diff = arith::SubIOp::create(ob, l, j, i);
        Value kc = arith::ConstantIndexOp::create(ob, l, k);
        Value keep = arith::CmpIOp::create(ob, l,
                                           upper ? arith::CmpIPredicate::sge
                                                 : arith::CmpIPredicate::sle,
                                           diff, kc);
        Value zero =
            isa<FloatType>(type)
                ? arith::ConstantOp::create(ob, l, FloatAttr::get(type, 0))
                      .getResult()
                : arith::ConstantOp::create(ob, l, IntegerAttr::get(type, 0))
                      .getResult();
        return arith::SelectOp::create(ob, l, keep, args[0], zero).getResult();
      }));
}

//===----------------------------------------------------------------------===//
// Index arithmetic ops: ArgMax, Tile, Pad, Einsum, Resize
//===----------------------------------------------------------------------===//

/// An index clamped into [0, size - 1].
static Value clampIndex(OpBuilder &ob, Location l, Value i, Value size) {
  Value zero = arith::ConstantIndexOp::create(ob, l, 0);
  Value last = arith::SubIOp::create(ob, l, size,
                                     arith::ConstantIndexOp::create(ob, l, 1));
  return arith::MinSIOp::create(ob, l, arith::MaxSIOp::create(ob, l, i, zero),
                                last);
}

LogicalResult Importer::importArgReduce(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  int64_t rank = x.getRank();
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  Type type = x.elementType;
  if (type.isInteger(1))
    return unsupported("boolean operand");
  bool isMax = n.op_type() == "ArgMax", last = getInt("select_last_index", 0);
  SymShape outShape, keptShape = x.shape;
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis) {
      outShape.push_back(x.shape[d]);
      outExprs.push_back(b.getAffineDimExpr(d));
    }
  keptShape[*axis] = SymExpr::constant(1);
  // The running best value starts at the identity of the comparison, the
  // index at 0.
  Value worst = reduceInit(type, isMax ? ReduceKind::Max : ReduceKind::Min);
  Value bestInit = emitFill(outShape, type, worst);
  Value indexInit =
      emitFill(outShape, b.getI64Type(), scalarConst(b.getI64Type(), 0));
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                 AffineMap::get(rank, 0, outExprs, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[*axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{bestInit.getType(), indexInit.getType()},
      ValueRange{get(x)}, ValueRange{bestInit, indexInit}, maps, iterators,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        using FP = arith::CmpFPredicate;
        using IP = arith::CmpIPredicate;
        Value better =
            isa<FloatType>(type)
                ? arith::CmpFOp::create(ob, l,
                                        isMax ? (last ? FP::OGE : FP::OGT)
                                              : (last ? FP::OLE : FP::OLT),
                                        args[0], args[1])
                      .getResult()
                : arith::CmpIOp::create(ob, l,
                                        isMax ? (last ? IP::sge : IP::sgt)
                                              : (last ? IP::sle : IP::slt),
                                        args[0], args[1])
                      .getResult();
        Value i = arith::IndexCastOp::create(
            ob, l, ob.getI64Type(), linalg::IndexOp::create(ob, l, *axis));
        linalg::YieldOp::create(
            ob, l,
            ValueRange{arith::SelectOp::create(ob, l, better, args[0], args[1]),
                       arith::SelectOp::create(ob, l, better, i, args[2])});
      });
  TensorInfo result = makeInfo(generic.getResult(1), outShape);
  if (getInt("keepdims", 1)) {
    FailureOr<TensorInfo> r = reshape(result, keptShape);
    if (failed(r))
      return failure();
    result = *r;
  }
  setOutput(0, result);
  return success();
}

/// A tensor of `shape` whose element at each position is read from `x` at
/// the coordinates `source` computes from the position (linalg.index values).
TensorInfo Importer::emitGatherFrom(
    TensorInfo &x, const SymShape &shape,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        source) {
  Value data = get(x);
  Value init = emitEmpty(shape, x.elementType);
  unsigned rank = shape.size();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iterators,
      [&](OpBuilder &ob, Location l, ValueRange) {
        SmallVector<Value> position;
        for (unsigned d = 0; d < rank; ++d)
          position.push_back(linalg::IndexOp::create(ob, l, d));
        Value v =
            tensor::ExtractOp::create(ob, l, data, source(ob, l, position));
        linalg::YieldOp::create(ob, l, v);
      });
  return makeInfo(generic.getResult(0), shape);
}

LogicalResult Importer::importTile(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  FailureOr<SmallVector<int64_t>> repeats = getConstInts(1, "repeats");
  if (failed(repeats))
    return failure();
  int64_t rank = x.getRank();
  if (static_cast<int64_t>(repeats->size()) != rank)
    return nodeError() << "repeats has " << repeats->size()
                       << " elements for an input of rank " << rank,
           failure();
  if (llvm::any_of(*repeats, [](int64_t r) { return r < 0; }))
    return nodeError() << "repeats must not be negative", failure();
  SymShape shape;
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    shape.push_back(x.shape[d] * SymExpr::constant((*repeats)[d]));
    sizes.push_back(materialize(x.shape[d]));
  }
  // Each output position reads the input at its position modulo the size.
  TensorInfo r = emitGatherFrom(
      x, shape, [&](OpBuilder &ob, Location l, ValueRange position) {
        SmallVector<Value> coords(position);
        for (int64_t d = 0; d < rank; ++d)
          if ((*repeats)[d] != 1)
            coords[d] = arith::RemUIOp::create(ob, l, position[d], sizes[d]);
        return coords;
      });
  setOutput(0, r);
  return success();
}

/// Pad's pads ([begins..., ends...] over all dimensions), from the
/// attribute (opset < 11) or the input, with the axes input of opset 18.
FailureOr<SmallVector<int64_t>> Importer::getPadAmounts(int64_t rank) {
  SmallVector<int64_t> given;
  if (opset < 11) {
    given = getInts("pads").value_or(SmallVector<int64_t>{});
  } else {
    FailureOr<SmallVector<int64_t>> p = getConstInts(1, "pads");
    if (failed(p))
      return failure();
    given = *p;
  }
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (hasInput(3)) {
    FailureOr<SmallVector<int64_t>> a = getConstInts(3, "axes");
    if (failed(a))
      return failure();
    axes.clear();
    for (int64_t axis : *a) {
      FailureOr<int64_t> na = normalizeAxis(axis, rank);
      if (failed(na))
        return failure();
      axes.push_back(*na);
    }
  }
  if (given.size() != 2 * axes.size())
    return nodeError() << "pads has " << given.size() << " elements for "
                       << axes.size() << " axes",
           failure();
  SmallVector<int64_t> pads(2 * rank, 0);
  for (auto [k, axis] : llvm::enumerate(axes)) {
    pads[axis] = given[k];
    pads[rank + axis] = given[axes.size() + k];
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return (void)unsupported("negative pads"), failure();
  return pads;
}

LogicalResult Importer::importPad(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  int64_t rank = x.getRank();
  std::string mode = getString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return unsupported("Pad mode '" + mode + "'");
  FailureOr<SmallVector<int64_t>> pads = getPadAmounts(rank);
  if (failed(pads))
    return failure();
  SymShape shape = x.shape;
  for (int64_t d = 0; d < rank; ++d)
    shape[d] = shape[d] + SymExpr::constant((*pads)[d] + (*pads)[rank + d]);
  if (mode == "constant") {
    double value = getFloat("value", 0);
    if (opset >= 11 && hasInput(2)) {
      std::optional<double> v = getConstScalar(*input(2));
      if (!v)
        return unsupported("a constant_value that is not a constant");
      value = *v;
    }
    SmallVector<OpFoldResult> low, high;
    for (int64_t d = 0; d < rank; ++d) {
      low.push_back(b.getIndexAttr((*pads)[d]));
      high.push_back(b.getIndexAttr((*pads)[rank + d]));
    }
    Value r =
        tensor::PadOp::create(b, loc, getType(shape, x.elementType), get(x),
                              low, high, scalarConst(x.elementType, value));
    setOutput(0, makeInfo(r, shape));
    return success();
  }
  // Edge and reflect read the input at a position folded back into range.
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(materialize(x.shape[d]));
  bool reflect = mode == "reflect";
  TensorInfo r = emitGatherFrom(
      x, shape, [&](OpBuilder &ob, Location l, ValueRange position) {
        SmallVector<Value> coords;
        for (int64_t d = 0; d < rank; ++d) {
          if ((*pads)[d] == 0 && (*pads)[rank + d] == 0) {
            coords.push_back(position[d]);
            continue;
          }
          Value i = arith::SubIOp::create(
              ob, l, position[d],
              arith::ConstantIndexOp::create(ob, l, (*pads)[d]));
          if (reflect) {
            // -i before the start, 2 (size - 1) - i past the end.
            Value last = arith::SubIOp::create(
                ob, l, sizes[d], arith::ConstantIndexOp::create(ob, l, 1));
            Value zero = arith::ConstantIndexOp::create(ob, l, 0);
            i = arith::SelectOp::create(
                ob, l,
                arith::CmpIOp::create(ob, l, arith::CmpIPredicate::slt, i,
                                      zero),
                arith::SubIOp::create(ob, l, zero, i), i);
            Value mirrored = arith::SubIOp::create(
                ob, l, arith::AddIOp::create(ob, l, last, last), i);
            i = arith::SelectOp::create(
                ob, l,
                arith::CmpIOp::create(ob, l, arith::CmpIPredicate::sgt, i,
                                      last),
                mirrored, i);
          }
          coords.push_back(clampIndex(ob, l, i, sizes[d]));
        }
        return coords;
      });
  setOutput(0, r);
  return success();
}

/// The number of dimensions the ellipsis of `term` stands for in an operand
/// of `rank`, or -1 if the term does not fit the rank.
static int64_t einsumEllipsisRank(StringRef term, int64_t rank) {
  bool dots = term.contains("...");
  int64_t letters = term.size() - (dots ? 3 : 0);
  if (dots ? letters > rank : letters != rank)
    return -1;
  return rank - letters;
}

/// Parses one term whose ellipsis stands for `ell` dimensions, of the
/// `ellipsisRank` the widest operand has.
static std::optional<EinsumTerm> parseEinsumTerm(StringRef term, int64_t ell,
                                                 int64_t ellipsisRank) {
  EinsumTerm labels;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.substr(i).starts_with("...")) {
      for (int64_t k = 0; k < ell; ++k)
        labels.push_back(kEllipsisLabel + (ellipsisRank - ell) + k);
      i += 2;
      continue;
    }
    char c = term[i];
    if (!llvm::isAlpha(c))
      return std::nullopt;
    labels.push_back(llvm::isLower(c) ? c - 'a' : 26 + c - 'A');
  }
  return labels;
}

LogicalResult Importer::importEinsum(const onnx::NodeProto &) {
  std::string equation;
  for (char c : getString("equation", ""))
    if (c != ' ')
      equation.push_back(c);
  auto [lhs, rhs] = StringRef(equation).split("->");
  bool explicitOutput = StringRef(equation).contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != numInputs())
    return nodeError() << "the equation has " << terms.size()
                       << " operands, the node " << numInputs(),
           failure();
  SmallVector<TensorInfo *> ins;
  SmallVector<int64_t> ells;
  for (auto [i, term] : llvm::enumerate(terms)) {
    FailureOr<TensorInfo *> t = requireInput(i);
    if (failed(t))
      return failure();
    int64_t ell = einsumEllipsisRank(term, (*t)->getRank());
    if (ell < 0)
      return nodeError() << "'" << term << "' does not fit an operand of rank "
                         << (*t)->getRank(),
             failure();
    ins.push_back(*t);
    ells.push_back(ell);
  }
  int64_t ellipsisRank = ells.empty() ? 0 : *llvm::max_element(ells);
  SmallVector<EinsumTerm> labels;
  for (auto [term, ell] : llvm::zip(terms, ells)) {
    auto parsed = parseEinsumTerm(term, ell, ellipsisRank);
    if (!parsed)
      return nodeError() << "cannot parse '" << term << "'", failure();
    labels.push_back(*parsed);
  }
  // Implicit output: the ellipsis, then the letters used once, sorted.
  EinsumTerm out;
  if (explicitOutput) {
    auto parsed = parseEinsumTerm(rhs, ellipsisRank, ellipsisRank);
    if (!parsed)
      return nodeError() << "cannot parse the output '" << rhs << "'",
             failure();
    out = *parsed;
  } else {
    std::map<unsigned, int> uses;
    for (const EinsumTerm &t : labels)
      for (unsigned l : t)
        ++uses[l];
    for (auto [l, count] : uses)
      if (l >= kEllipsisLabel || count == 1)
        out.push_back(l);
    // Ellipsis labels sort after the letters: move them to the front.
    std::rotate(
        out.begin(),
        llvm::find_if(out, [](unsigned l) { return l >= kEllipsisLabel; }),
        out.end());
  }
  return emitEinsum(ins, labels, out);
}

/// One linalg.generic: the output's labels are parallel loops, the others
/// reductions; the body multiplies the operands and accumulates.
LogicalResult Importer::emitEinsum(ArrayRef<TensorInfo *> ins,
                                   ArrayRef<EinsumTerm> labels,
                                   const EinsumTerm &out) {
  Type type = ins[0]->elementType;
  if (llvm::any_of(ins, [&](TensorInfo *t) { return t->elementType != type; }))
    return nodeError() << "operand element types differ", failure();
  if (type.isInteger(1))
    return unsupported("boolean operands");
  SmallVector<unsigned> loops(out);
  std::map<unsigned, SymExpr> sizes;
  for (auto [t, term] : llvm::zip(ins, labels))
    for (auto [d, l] : llvm::enumerate(term)) {
      if (!llvm::is_contained(loops, l))
        loops.push_back(l);
      // A size of 1 broadcasts against the other operands'.
      auto it = sizes.find(l);
      if (it == sizes.end() || it->second.isConstant(1))
        sizes[l] = t->shape[d];
    }
  auto loopOf = [&](unsigned l) {
    return b.getAffineDimExpr(llvm::find(loops, l) - loops.begin());
  };
  SmallVector<AffineMap> maps;
  for (auto [t, term] : llvm::zip(ins, labels)) {
    SmallVector<AffineExpr> exprs;
    for (auto [d, l] : llvm::enumerate(term))
      exprs.push_back(t->shape[d].isConstant(1) && !sizes[l].isConstant(1)
                          ? b.getAffineConstantExpr(0)
                          : loopOf(l));
    maps.push_back(AffineMap::get(loops.size(), 0, exprs, ctx));
  }
  SymShape outShape;
  SmallVector<AffineExpr> outExprs;
  for (unsigned l : out) {
    if (!sizes.count(l))
      return nodeError() << "an output label is not in any operand", failure();
    outShape.push_back(sizes[l]);
    outExprs.push_back(loopOf(l));
  }
  maps.push_back(AffineMap::get(loops.size(), 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops.size(),
                                             utils::IteratorType::reduction);
  std::fill_n(iterators.begin(), out.size(), utils::IteratorType::parallel);
  bool isFloat = isa<FloatType>(type);
  Value init = emitFill(outShape, type, scalarConst(type, 0));
  SmallVector<Value> operands =
      llvm::map_to_vector(ins, [&](TensorInfo *t) { return get(*t); });
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), operands, ValueRange{init}, maps, iterators,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value p = args[0];
        for (Value v : args.drop_front().drop_back())
          p = isFloat ? arith::MulFOp::create(ob, l, p, v).getResult()
                      : arith::MulIOp::create(ob, l, p, v).getResult();
        Value s =
            isFloat ? arith::AddFOp::create(ob, l, args.back(), p).getResult()
                    : arith::AddIOp::create(ob, l, args.back(), p).getResult();
        linalg::YieldOp::create(ob, l, s);
      });
  setOutput(0, makeInfo(generic.getResult(0), outShape));
  return success();
}

/// The input coordinate (f64) of output coordinate `x` (index).
static Value resizeSource(OpBuilder &ob, Location l, StringRef mode, Value x,
                          const ResizeAxis &a) {
  Type f64 = ob.getF64Type();
  auto fc = [&](double c) -> Value {
    return arith::ConstantOp::create(ob, l, ob.getF64FloatAttr(c));
  };
  Value xf = arith::UIToFPOp::create(
      ob, l, f64, arith::IndexCastUIOp::create(ob, l, ob.getI64Type(), x));
  if (mode == "asymmetric")
    return arith::DivFOp::create(ob, l, xf, a.scale);
  Value half = fc(0.5);
  Value shifted = arith::DivFOp::create(
      ob, l, arith::AddFOp::create(ob, l, xf, half), a.scale);
  if (mode == "tf_half_pixel_for_nn")
    return shifted;
  if (mode == "half_pixel")
    return arith::SubFOp::create(ob, l, shifted, half);
  Value outIsOne =
      arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OEQ, a.outSize, fc(1));
  if (mode == "pytorch_half_pixel")
    return arith::SelectOp::create(ob, l, outIsOne, fc(-0.5),
                                   arith::SubFOp::create(ob, l, shifted, half));
  // align_corners: x (in - 1) / (out - 1).
  Value ratio = arith::DivFOp::create(
      ob, l, arith::SubFOp::create(ob, l, a.inSize, fc(1)),
      arith::SubFOp::create(ob, l, a.outSize, fc(1)));
  return arith::SelectOp::create(ob, l, outIsOne, fc(0),
                                 arith::MulFOp::create(ob, l, xf, ratio));
}

/// The input index nearest to coordinate `c` under `nearestMode`, clamped.
static Value resizeNearest(OpBuilder &ob, Location l, StringRef nearestMode,
                           Value c, Value size) {
  auto fc = [&](double v) -> Value {
    return arith::ConstantOp::create(ob, l, ob.getF64FloatAttr(v));
  };
  Value r;
  if (nearestMode == "floor")
    r = math::FloorOp::create(ob, l, c);
  else if (nearestMode == "ceil")
    r = math::CeilOp::create(ob, l, c);
  else if (nearestMode == "round_prefer_ceil")
    r = math::FloorOp::create(ob, l, arith::AddFOp::create(ob, l, c, fc(0.5)));
  else
    r = math::CeilOp::create(ob, l, arith::SubFOp::create(ob, l, c, fc(0.5)));
  Value i = arith::IndexCastOp::create(
      ob, l, ob.getIndexType(),
      arith::FPToSIOp::create(ob, l, ob.getI64Type(), r));
  return clampIndex(ob, l, i, size);
}

LogicalResult Importer::importResize(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  std::string mode = getString("mode", "nearest");
  std::string transform =
      getString("coordinate_transformation_mode", "half_pixel");
  std::string nearestMode = getString("nearest_mode", "round_prefer_floor");
  if (opset < 11)
    return unsupported("Resize before opset 11");
  if (mode != "nearest" && mode != "linear")
    return unsupported("Resize mode '" + mode + "'");
  if (transform == "tf_crop_and_resize")
    return unsupported("coordinate_transformation_mode 'tf_crop_and_resize'");
  if (getInt("antialias", 0) || attr("axes") ||
      getString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return unsupported("Resize with antialias, axes or an aspect ratio policy");
  if (mode == "linear" && !isa<FloatType>(x.elementType))
    return unsupported("linear Resize of integers");
  SymShape shape;
  FailureOr<SmallVector<ResizeAxis>> axes = getResizeAxes(x, shape);
  if (failed(axes))
    return failure();
  SmallVector<Value> sizes;
  for (const SymExpr &e : x.shape)
    sizes.push_back(materialize(e));
  TensorInfo r;
  if (mode == "nearest") {
    r = emitGatherFrom(
        x, shape, [&](OpBuilder &ob, Location l, ValueRange position) {
          SmallVector<Value> coords(position);
          for (const ResizeAxis &a : *axes)
            coords[a.dim] = resizeNearest(
                ob, l, nearestMode,
                resizeSource(ob, l, transform, position[a.dim], a),
                sizes[a.dim]);
          return coords;
        });
  } else {
    r = emitLinearResize(x, shape, *axes, transform, sizes);
  }
  setOutput(0, r);
  return success();
}

/// The resized dimensions, from the scales or the sizes input; sets
/// `resizeShape` to the output shape.
FailureOr<SmallVector<ResizeAxis>>
Importer::getResizeAxes(TensorInfo &x, SymShape &resizeShape) {
  int64_t rank = x.getRank();
  TensorInfo *scalesInfo = input(2);
  bool hasScales = scalesInfo && scalesInfo->getRank() == 1 &&
                   !scalesInfo->shape[0].isConstant(0);
  SmallVector<double> scales;
  SmallVector<SymExpr> sizes;
  if (hasScales) {
    if (!scalesInfo->constant)
      return (void)dataDependent("the output shape of a Resize with computed "
                                 "scales"),
             failure();
    for (const APFloat &v : scalesInfo->constant.getValues<APFloat>())
      scales.push_back(v.convertToDouble());
  } else {
    FailureOr<SmallVector<SymExpr>> s = getElements(3, "sizes");
    if (failed(s))
      return failure();
    sizes = *s;
  }
  if ((hasScales ? scales.size() : sizes.size()) != static_cast<size_t>(rank))
    return nodeError() << "scales or sizes must have one entry per dimension",
           failure();
  resizeShape = x.shape;
  SmallVector<ResizeAxis> axes;
  Type f64 = b.getF64Type();
  auto toF64 = [&](const SymExpr &e) -> Value {
    return arith::UIToFPOp::create(
        b, loc, f64,
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(), materialize(e)));
  };
  for (int64_t d = 0; d < rank; ++d) {
    const SymExpr &in = x.shape[d];
    SymExpr out = in;
    if (hasScales) {
      double s = scales[d];
      if (s == 1.0)
        continue;
      if (auto c = in.getConstant())
        out = SymExpr::constant(static_cast<int64_t>(std::floor(*c * s)));
      else if (s == std::floor(s) && s > 0)
        out = in * SymExpr::constant(static_cast<int64_t>(s));
      else
        return (void)unsupported("a fractional scale of a symbolic size"),
               failure();
    } else {
      out = sizes[d];
      if (out == in)
        continue;
    }
    ResizeAxis a;
    a.dim = d;
    a.inSize = toF64(in);
    a.outSize = toF64(out);
    // With sizes the scale is their ratio; with scales the coordinate
    // transform uses the given scale and an unfloored output length.
    if (hasScales) {
      a.scale = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(scales[d]));
      a.outSize = arith::MulFOp::create(b, loc, a.inSize, a.scale);
    } else {
      a.scale = arith::DivFOp::create(b, loc, a.outSize, a.inSize);
    }
    resizeShape[d] = out;
    axes.push_back(a);
  }
  return axes;
}

/// Linear (bilinear, trilinear) Resize: the 2^k corners around the source
/// coordinate of the k resized dimensions, weighted, with clamped indices.
TensorInfo Importer::emitLinearResize(TensorInfo &x, const SymShape &shape,
                                      ArrayRef<ResizeAxis> axes,
                                      StringRef transform,
                                      ArrayRef<Value> sizes) {
  Value data = get(x);
  Type type = x.elementType;
  Value init = emitEmpty(shape, type);
  unsigned rank = shape.size();
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{}, ValueRange{init},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank)}, iterators,
      [&](OpBuilder &ob, Location l, ValueRange) {
        SmallVector<Value> position;
        for (unsigned d = 0; d < rank; ++d)
          position.push_back(linalg::IndexOp::create(ob, l, d));
        Value one = arith::ConstantOp::create(ob, l, ob.getF64FloatAttr(1));
        SmallVector<Value> low, high, weight;
        for (const ResizeAxis &a : axes) {
          Value c = resizeSource(ob, l, transform, position[a.dim], a);
          Value f = math::FloorOp::create(ob, l, c);
          weight.push_back(arith::SubFOp::create(ob, l, c, f));
          Value i = arith::IndexCastOp::create(
              ob, l, ob.getIndexType(),
              arith::FPToSIOp::create(ob, l, ob.getI64Type(), f));
          Value i1 = arith::AddIOp::create(
              ob, l, i, arith::ConstantIndexOp::create(ob, l, 1));
          low.push_back(clampIndex(ob, l, i, sizes[a.dim]));
          high.push_back(clampIndex(ob, l, i1, sizes[a.dim]));
        }
        Value sum;
        for (unsigned corner = 0; corner < (1u << axes.size()); ++corner) {
          SmallVector<Value> coords(position);
          Value w = one;
          for (auto [k, a] : llvm::enumerate(axes)) {
            bool up = corner >> k & 1;
            coords[a.dim] = up ? high[k] : low[k];
            w = arith::MulFOp::create(
                ob, l, w,
                up ? weight[k]
                   : arith::SubFOp::create(ob, l, one, weight[k]).getResult());
          }
          Value v = tensor::ExtractOp::create(ob, l, data, coords);
          Value term =
              arith::MulFOp::create(ob, l, v, convertScalar(ob, l, w, type));
          sum =
              sum ? arith::AddFOp::create(ob, l, sum, term).getResult() : term;
        }
        linalg::YieldOp::create(ob, l, sum);
      });
  return makeInfo(generic.getResult(0), shape);
}

//===----------------------------------------------------------------------===//
// Contractions, normalizations, reductions
//===----------------------------------------------------------------------===//

/// A matmul with batch dimensions (broadcast as numpy does): one generic
/// contraction over them.
TensorInfo Importer::emitBatchedMatmul(TensorInfo &a, TensorInfo &c,
                                       const SymShape &batch,
                                       const SymShape &outShape) {
  Type type = a.elementType;
  bool isFloat = isa<FloatType>(type);
  Value zero = scalarConst(type, 0);
  // Batch dimensions: a generic contraction over them, not a reshape to a
  // batch_matmul, whose merged [batch*seq] rows the padding analysis
  // cannot prove independent.
  int64_t nbatch = batch.size();
  int64_t loops = nbatch + 3;
  auto operandMap = [&](TensorInfo &t, AffineExpr row, AffineExpr col) {
    SmallVector<AffineExpr> exprs;
    int64_t r = t.getRank();
    for (int64_t d = 0; d < r - 2; ++d) {
      int64_t od = nbatch - (r - 2) + d;
      exprs.push_back(t.shape[d].isConstant(1) && !batch[od].isConstant(1)
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(od));
    }
    exprs.push_back(row);
    exprs.push_back(col);
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  AffineExpr dm = b.getAffineDimExpr(nbatch),
             dn = b.getAffineDimExpr(nbatch + 1),
             dk = b.getAffineDimExpr(nbatch + 2);
  SmallVector<AffineExpr> outExprs;
  for (int64_t d = 0; d < nbatch + 2; ++d)
    outExprs.push_back(b.getAffineDimExpr(d));
  SmallVector<AffineMap> maps = {operandMap(a, dm, dk), operandMap(c, dk, dn),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  Value out = emitFill(outShape, type, zero);
  auto generic = linalg::GenericOp::create(
      b, loc, out.getType(), ValueRange{get(a), get(c)}, ValueRange{out}, maps,
      iterators, [&](OpBuilder &ob, Location l, ValueRange args) {
        Value p =
            isFloat
                ? arith::MulFOp::create(ob, l, args[0], args[1]).getResult()
                : arith::MulIOp::create(ob, l, args[0], args[1]).getResult();
        Value s = isFloat
                      ? arith::AddFOp::create(ob, l, args[2], p).getResult()
                      : arith::AddIOp::create(ob, l, args[2], p).getResult();
        linalg::YieldOp::create(ob, l, s);
      });
  return makeInfo(generic.getResult(0), outShape);
}

LogicalResult Importer::importMatMul(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> pa = requireInput(0), pb = requireInput(1);
  if (failed(pa) || failed(pb))
    return failure();
  TensorInfo a = **pa, c = **pb;
  if (a.elementType != c.elementType)
    return nodeError() << "operand element types differ", failure();
  if (a.getRank() == 0 || c.getRank() == 0)
    return nodeError() << "operands must have rank 1 or more", failure();
  Type type = a.elementType;
  // Vectors become matrices and lose the unit dimension at the end.
  bool vecA = a.getRank() == 1, vecB = c.getRank() == 1;
  if (vecA) {
    FailureOr<TensorInfo> r = reshape(a, {SymExpr::constant(1), a.shape[0]});
    if (failed(r))
      return failure();
    a = *r;
  }
  if (vecB) {
    FailureOr<TensorInfo> r = reshape(c, {c.shape[0], SymExpr::constant(1)});
    if (failed(r))
      return failure();
    c = *r;
  }
  int64_t ra = a.getRank(), rb = c.getRank();
  SymExpr m = a.shape[ra - 2], n = c.shape[rb - 1];
  SymShape batchA(a.shape.begin(), a.shape.end() - 2),
      batchB(c.shape.begin(), c.shape.end() - 2);
  FailureOr<SymShape> batch = broadcast({batchA, batchB});
  if (failed(batch))
    return failure();
  SymShape outShape = *batch;
  outShape.push_back(m);
  outShape.push_back(n);
  Value zero = scalarConst(type, 0);
  TensorInfo result;
  if (ra == 2 && rb == 2) {
    Value out = emitFill(outShape, type, zero);
    auto mm = linalg::MatmulOp::create(b, loc, ValueRange{get(a), get(c)},
                                       ValueRange{out});
    result = makeInfo(mm.getResult(0), outShape);
  } else if (ra == 3 && rb == 3 && a.shape[0] == c.shape[0]) {
    // Attention's per-head products ([heads, seq, d] x [heads, d, seq]): the
    // named batch_matmul, as hand-written linalg has it. The code generator
    // runs it about 1.25x faster than the same contraction as a generic
    // (benchmarks/onnx_encoder.sh).
    Value out = emitFill(outShape, type, zero);
    auto bmm = linalg::BatchMatmulOp::create(b, loc, ValueRange{get(a), get(c)},
                                             ValueRange{out});
    result = makeInfo(bmm.getResult(0), outShape);
  } else {
    result = emitBatchedMatmul(a, c, *batch, outShape);
  }
  if (vecA || vecB) {
    SymShape finalShape(outShape.begin(), outShape.end() - 2);
    if (!vecA)
      finalShape.push_back(m);
    if (!vecB)
      finalShape.push_back(n);
    FailureOr<TensorInfo> r = reshape(result, finalShape);
    if (failed(r))
      return failure();
    result = *r;
  }
  setOutput(0, result);
  return success();
}

/// The transpose of a constant matrix, computed once at import time, or null
/// for element types that are not whole bytes wide.
static DenseElementsAttr transposeConstantMatrix(DenseElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto resultType = RankedTensorType::get({cols, rows}, type.getElementType());
  if (attr.isSplat())
    return attr.resizeSplat(resultType);
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8)
    return {};
  size_t width = bits / 8;
  ArrayRef<char> raw = attr.getRawData();
  SmallVector<char> data(raw.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(&data[(c * rows + r) * width], &raw[(r * cols + c) * width],
                  width);
  return DenseElementsAttr::getFromRawBuffer(resultType, data);
}

TensorInfo Importer::transposeMatrix(TensorInfo &t) {
  // A constant (nn.Linear's weight, stored [out, in] and exported with
  // transB = 1) is transposed here instead of on every call.
  if (t.constant)
    if (DenseElementsAttr folded = transposeConstantMatrix(t.constant))
      return makeConstant(folded);
  SymShape shape{t.shape[1], t.shape[0]};
  Value init = emitEmpty(shape, t.elementType);
  auto op = linalg::TransposeOp::create(b, loc, get(t), init,
                                        ArrayRef<int64_t>{1, 0});
  return makeInfo(op.getResult()[0], shape);
}

Value Importer::emitGemmAccumulator(TensorInfo *bias, const SymShape &shape,
                                    Type type, bool &biasAdded) {
  // A bias over the columns (nn.Linear's) is broadcast into the matmul's
  // accumulator, as a hand-written `x W + b` is: no second pass over the
  // result.
  biasAdded = bias && bias->getRank() >= 1 && bias->getRank() <= 2 &&
              bias->shape.back() == shape[1] &&
              (bias->getRank() == 1 || bias->shape[0].isConstant(1));
  if (!biasAdded)
    return emitFill(shape, type, scalarConst(type, 0));
  Value row = get(*bias);
  if (bias->getRank() == 2)
    row = tensor::CollapseShapeOp::create(
        b, loc, row, SmallVector<ReassociationIndices>{{0, 1}});
  return linalg::BroadcastOp::create(b, loc, row, emitEmpty(shape, type),
                                     ArrayRef<int64_t>{0})
      .getResult()[0];
}

LogicalResult Importer::importGemm(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> pa = requireInput(0), pb = requireInput(1);
  if (failed(pa) || failed(pb))
    return failure();
  TensorInfo a = **pa, c = **pb;
  if (a.getRank() != 2 || c.getRank() != 2)
    return nodeError() << "operands must be matrices", failure();
  Type type = a.elementType;
  if (!isa<FloatType>(type))
    return unsupported("integer Gemm");
  // Transposes become linalg.transpose: matmul stays a named op that the
  // code generation recognizes.
  if (getInt("transA", 0))
    a = transposeMatrix(a);
  if (getInt("transB", 0))
    c = transposeMatrix(c);
  SymShape shape{a.shape[0], c.shape[1]};
  double alpha = getFloat("alpha", 1.0f), beta = getFloat("beta", 1.0f);
  TensorInfo *bias = input(2);
  bool biasInInit = false;
  Value out = emitGemmAccumulator(alpha == 1.0 && beta == 1.0 ? bias : nullptr,
                                  shape, type, biasInInit);
  auto mm = linalg::MatmulOp::create(b, loc, ValueRange{get(a), get(c)},
                                     ValueRange{out});
  TensorInfo result = makeInfo(mm.getResult(0), shape);
  if (!biasInInit && (alpha != 1.0 || (bias && beta != 0.0))) {
    SmallVector<TensorInfo *> ins{&result};
    if (bias && beta != 0.0)
      ins.push_back(bias);
    FailureOr<SymShape> bshape = broadcast({shape, bias ? bias->shape : shape});
    if (failed(bshape))
      return failure();
    FailureOr<TensorInfo> r = emitMap(
        ins, type,
        [&](OpBuilder &ob, Location l, ValueRange args) {
          auto fc = [&](double v) {
            return arith::ConstantOp::create(ob, l, FloatAttr::get(type, v));
          };
          Value v = args[0];
          if (alpha != 1.0)
            v = arith::MulFOp::create(ob, l, v, fc(alpha));
          if (args.size() > 1) {
            Value cv = args[1];
            if (beta != 1.0)
              cv = arith::MulFOp::create(ob, l, cv, fc(beta));
            v = arith::AddFOp::create(ob, l, v, cv);
          }
          return v;
        },
        &shape);
    if (failed(r))
      return failure();
    result = *r;
  }
  setOutput(0, result);
  return success();
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(getInt("axis", opset < 13 ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  // Before opset 13 the input is coerced to 2D at `axis`: the same as the
  // newer semantics only when `axis` is the last dimension.
  if (opset < 13 && *axis != rank - 1)
    return unsupported("Softmax over a coerced 2D input (opset < 13) at an "
                       "axis other than the last");
  if (!isa<FloatType>((*x)->elementType))
    return unsupported("integer Softmax");
  Value init = emitEmpty((*x)->shape, (*x)->elementType);
  auto op = linalg::SoftmaxOp::create(b, loc, TypeRange{init.getType()},
                                      get(**x), init, *axis);
  TensorInfo result = makeInfo(op.getResult()[0], (*x)->shape);
  return setResult(n.op_type() == "LogSoftmax" ? unary("Log", result) : result);
}

LogicalResult Importer::importReduce(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  StringRef op = n.op_type();
  int64_t rank = (*x)->getRank();
  // ReduceSum takes its axes as an input from opset 13, the others from 18.
  bool axesAsInput = op == "ReduceSum" ? opset >= 13 : opset >= 18;
  std::optional<SmallVector<int64_t>> axes;
  if (axesAsInput) {
    if (hasInput(1)) {
      FailureOr<SmallVector<int64_t>> a = getConstInts(1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    axes = getInts("axes");
  }
  if (!axes || axes->empty()) {
    if (getInt("noop_with_empty_axes", 0)) {
      setOutput(0, **x);
      return success();
    }
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  SmallVector<int64_t> normalized;
  for (int64_t a : *axes) {
    FailureOr<int64_t> na = normalizeAxis(a, rank);
    if (failed(na))
      return failure();
    normalized.push_back(*na);
  }
  llvm::sort(normalized);
  normalized.erase(llvm::unique(normalized), normalized.end());
  ReduceKind kind = llvm::StringSwitch<ReduceKind>(op)
                        .Case("ReduceSum", ReduceKind::Sum)
                        .Case("ReduceMax", ReduceKind::Max)
                        .Case("ReduceMin", ReduceKind::Min)
                        .Case("ReduceProd", ReduceKind::Prod)
                        .Default(ReduceKind::Mean);
  return setResult(emitReduce(**x, normalized, getInt("keepdims", 1), kind));
}

LogicalResult Importer::importLayerNorm(const onnx::NodeProto &) {
  if (failed(onlyFirstOutput()))
    return failure();
  FailureOr<TensorInfo *> x = requireInput(0), scale = requireInput(1);
  if (failed(x) || failed(scale))
    return failure();
  Type type = (*x)->elementType;
  if (!isa<FloatType>(type))
    return unsupported("integer LayerNormalization");
  int64_t rank = (*x)->getRank();
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
  FailureOr<TensorInfo> mean = emitReduce(**x, axes, true, ReduceKind::Mean);
  if (failed(mean))
    return failure();
  // As a hand-written layer norm: x - mean is recomputed where it is used
  // instead of stored, so that the variance is one reduction over x once
  // elementwise chains are fused (fuseElementwiseChains), and the result
  // multiplies by 1 / sqrt(var + eps) computed once per row.
  FailureOr<TensorInfo> centered = binary("Sub", **x, *mean);
  if (failed(centered))
    return failure();
  FailureOr<TensorInfo> sq = binary("Mul", *centered, *centered);
  if (failed(sq))
    return failure();
  FailureOr<TensorInfo> var = emitReduce(*sq, axes, true, ReduceKind::Mean);
  if (failed(var))
    return failure();
  double eps = getFloat("epsilon", 1e-5f);
  SmallVector<TensorInfo *> varIn{&*var};
  FailureOr<TensorInfo> rstd = emitMap(
      varIn, type,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value e = arith::ConstantOp::create(ob, l, FloatAttr::get(type, eps));
        Value one = arith::ConstantOp::create(ob, l, FloatAttr::get(type, 1));
        Value d = math::SqrtOp::create(
            ob, l, arith::AddFOp::create(ob, l, args[0], e));
        return arith::DivFOp::create(ob, l, one, d).getResult();
      },
      &var->shape);
  if (failed(rstd))
    return failure();
  SmallVector<TensorInfo *> ins{*x, &*mean, &*rstd, *scale};
  if (TensorInfo *bias = input(2))
    ins.push_back(bias);
  return setResult(emitMap(
      ins, type,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value v = arith::SubFOp::create(ob, l, args[0], args[1]);
        v = arith::MulFOp::create(ob, l, v, args[2]);
        v = arith::MulFOp::create(ob, l, v, args[3]);
        if (args.size() > 4)
          v = arith::AddFOp::create(ob, l, v, args[4]);
        return v;
      },
      &(*x)->shape));
}

LogicalResult Importer::importBatchNorm(const onnx::NodeProto &) {
  if (failed(onlyFirstOutput()))
    return failure();
  if (getInt("training_mode", 0))
    return unsupported("BatchNormalization in training mode");
  SmallVector<TensorInfo *> ins;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<TensorInfo *> t = requireInput(i);
    if (failed(t))
      return failure();
    ins.push_back(*t);
  }
  TensorInfo &x = *ins[0];
  Type type = x.elementType;
  if (!isa<FloatType>(type) || x.getRank() < 2)
    return unsupported("BatchNormalization of integers or of rank < 2");
  // Per-channel operands broadcast along dimension 1.
  SmallVector<TensorInfo, 4> channel;
  for (unsigned i = 1; i < 5; ++i) {
    if (ins[i]->getRank() != 1 || ins[i]->elementType != type)
      return nodeError() << "operand " << i
                         << " must be a vector of the input's type",
             failure();
    SymShape s{ins[i]->shape[0]};
    s.append(x.getRank() - 2, SymExpr::constant(1));
    FailureOr<TensorInfo> r = reshape(*ins[i], s);
    if (failed(r))
      return failure();
    channel.push_back(*r);
  }
  double eps = getFloat("epsilon", 1e-5f);
  return setResult(emitMap(
      {&x, &channel[0], &channel[1], &channel[2], &channel[3]}, type,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value e = arith::ConstantOp::create(ob, l, FloatAttr::get(type, eps));
        Value d = math::SqrtOp::create(
            ob, l, arith::AddFOp::create(ob, l, args[4], e));
        Value v = arith::SubFOp::create(ob, l, args[0], args[3]);
        v = arith::DivFOp::create(ob, l, v, d);
        v = arith::MulFOp::create(ob, l, v, args[1]);
        return arith::AddFOp::create(ob, l, v, args[2]).getResult();
      },
      &x.shape));
}

/// Resolves auto_pad SAME_UPPER/SAME_LOWER (the output size is ceil(size /
/// stride)) into explicit pads for dimension `d`. The total padding depends
/// on the size unless the stride is 1.
LogicalResult Importer::resolveSamePads(Window &w, size_t d,
                                        const SymExpr &size, bool upper) {
  int64_t extent = w.dilations[d] * (w.kernel[d] - 1) + 1, total;
  if (w.strides[d] == 1) {
    total = extent - 1;
  } else if (auto c = size.getConstant()) {
    int64_t out = (*c + w.strides[d] - 1) / w.strides[d];
    total = std::max<int64_t>(0, (out - 1) * w.strides[d] + extent - *c);
  } else {
    return unsupported("auto_pad SAME with a stride over a symbolic size");
  }
  int64_t small = total / 2;
  w.pads[d] = upper ? small : total - small;
  w.pads[w.rank() + d] = upper ? total - small : small;
  return success();
}

/// ceil_mode: the last window may start in the end padding but not past it;
/// what it reads beyond the input is padding too. Needs a constant size.
LogicalResult Importer::resolveCeilMode(Window &w, size_t d,
                                        const SymExpr &size) {
  int64_t stride = w.strides[d];
  int64_t extent = w.dilations[d] * (w.kernel[d] - 1) + 1;
  std::optional<int64_t> c = size.getConstant();
  if (!c)
    return stride == 1 ? success()
                       : unsupported("ceil_mode over a symbolic size");
  int64_t padded = *c + w.pads[d] + w.pads[w.rank() + d];
  int64_t out = (padded - extent + stride - 1) / stride + 1;
  if ((out - 1) * stride >= *c + w.pads[d])
    --out;
  w.ceilPads[d] = std::max<int64_t>(0, (out - 1) * stride + extent - padded);
  return success();
}

/// Reads kernel-independent window attributes for a window of `kernel`
/// over `spatial` (the input's spatial sizes).
FailureOr<Window> Importer::getWindow(ArrayRef<int64_t> kernel,
                                      ArrayRef<SymExpr> spatial) {
  Window w;
  size_t n = kernel.size();
  w.kernel.assign(kernel.begin(), kernel.end());
  w.pads = getInts("pads").value_or(SmallVector<int64_t>(2 * n, 0));
  w.strides = getInts("strides").value_or(SmallVector<int64_t>(n, 1));
  w.dilations = getInts("dilations").value_or(SmallVector<int64_t>(n, 1));
  w.ceilPads.assign(n, 0);
  if (w.pads.size() != 2 * n || w.strides.size() != n ||
      w.dilations.size() != n)
    return nodeError() << "pads, strides or dilations of the wrong length",
           failure();
  if (llvm::any_of(w.pads, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(w.strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(w.dilations, [](int64_t s) { return s < 1; }))
    return nodeError() << "negative pads or non-positive strides or "
                          "dilations",
           failure();
  std::string autoPad = getString("auto_pad", "NOTSET");
  if (autoPad == "VALID")
    w.pads.assign(2 * n, 0);
  else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t d = 0; d < n; ++d)
      if (failed(resolveSamePads(w, d, spatial[d], autoPad == "SAME_UPPER")))
        return failure();
  } else if (autoPad != "NOTSET")
    return (void)unsupported("auto_pad " + autoPad), failure();
  if (getInt("ceil_mode", 0))
    for (size_t d = 0; d < n; ++d)
      if (failed(resolveCeilMode(w, d, spatial[d])))
        return failure();
  return w;
}

/// The output size of `w` along spatial dimension `d` over `size`: an
/// exact expression where the stride divides, else a fresh symbol computed
/// with a floor division.
SymExpr Importer::windowOutput(const Window &w, size_t d, const SymExpr &size) {
  int64_t stride = w.strides[d];
  SymExpr span =
      size +
      SymExpr::constant(w.padSum(d) - w.dilations[d] * (w.kernel[d] - 1) - 1);
  if (auto c = span.getConstant())
    return SymExpr::constant((*c >= 0 ? *c / stride : -1) + 1);
  if (stride == 1)
    return span + SymExpr::constant(1);
  Value v = arith::FloorDivSIOp::create(
      b, loc, materialize(span),
      arith::ConstantIndexOp::create(b, loc, stride));
  return freshSymbol(
             "floordiv(" + span.key() + "," + std::to_string(stride) + ")", v) +
         SymExpr::constant(1);
}

/// Pads the spatial dimensions of `in` (shape updated) with `value`; the
/// count_include_pad pooling pads the ceil_mode part with `ceilValue`.
Value Importer::padSpatial(Value in, SymShape &shape, const Window &w,
                           Value value) {
  size_t n = w.rank();
  if (llvm::all_of(llvm::seq<size_t>(0, n),
                   [&](size_t d) { return w.padSum(d) == 0; }))
    return in;
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)),
      high(2, b.getIndexAttr(0));
  for (size_t d = 0; d < n; ++d) {
    low.push_back(b.getIndexAttr(w.pads[d]));
    high.push_back(b.getIndexAttr(w.pads[n + d] + w.ceilPads[d]));
    shape[2 + d] = shape[2 + d] + SymExpr::constant(w.padSum(d));
  }
  Type type = cast<RankedTensorType>(in.getType()).getElementType();
  return tensor::PadOp::create(b, loc, getType(shape, type), in, low, high,
                               value);
}

/// Runs `emit2D` on a 1-D window as a 2-D one: [N, C, W] operands get a unit
/// dimension before W, and the result loses it again.
FailureOr<TensorInfo> Importer::as2D(
    ArrayRef<TensorInfo *> operands, const Window &w,
    function_ref<FailureOr<TensorInfo>(ArrayRef<TensorInfo *>, const Window &)>
        emit2D) {
  SmallVector<TensorInfo, 2> expanded;
  for (TensorInfo *t : operands) {
    SymShape s{t->shape[0], t->shape[1], SymExpr::constant(1), t->shape[2]};
    FailureOr<TensorInfo> r = reshape(*t, s);
    if (failed(r))
      return failure();
    expanded.push_back(*r);
  }
  SmallVector<TensorInfo *> ptrs =
      llvm::map_to_vector(expanded, [](TensorInfo &t) { return &t; });
  FailureOr<TensorInfo> r = emit2D(ptrs, w.withUnitDim());
  if (failed(r))
    return failure();
  return reshape(*r, {r->shape[0], r->shape[1], r->shape[3]});
}

LogicalResult Importer::importConv(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> px = requireInput(0), pw = requireInput(1);
  if (failed(px) || failed(pw))
    return failure();
  TensorInfo &x = **px, &w = **pw;
  int64_t rank = x.getRank();
  if (rank < 3 || rank > 5 || w.getRank() != rank)
    return unsupported("Conv of other than 1, 2 or 3 spatial dimensions");
  if (!isa<FloatType>(x.elementType))
    return unsupported("integer Conv");
  SmallVector<int64_t> kernel;
  for (int64_t d = 0; d < rank; ++d)
    if (!w.shape[d].getConstant() || (d == 1 && !x.shape[1].getConstant()))
      return unsupported("Conv with symbolic channels or kernel size");
  for (int64_t d = 2; d < rank; ++d)
    kernel.push_back(*w.shape[d].getConstant());
  int64_t group = getInt("group", 1);
  int64_t cin = *x.shape[1].getConstant(), cout = *w.shape[0].getConstant();
  if (group < 1 || cin != *w.shape[1].getConstant() * group ||
      cout % group != 0)
    return nodeError() << "channels do not match the group count", failure();
  if (rank == 5 && group != 1)
    return unsupported("grouped 3-D Conv");
  FailureOr<Window> win =
      getWindow(kernel, ArrayRef<SymExpr>(x.shape).drop_front(2));
  if (failed(win))
    return failure();
  auto emit = [&](ArrayRef<TensorInfo *> ops, const Window &wn) {
    return emitConv(*ops[0], *ops[1], wn, group);
  };
  FailureOr<TensorInfo> r =
      rank == 3 ? as2D({&x, &w}, *win, emit) : emitConv(x, w, *win, group);
  if (failed(r))
    return failure();
  if (TensorInfo *bias = input(2)) {
    SymShape s(rank - 1, SymExpr::constant(1));
    s[0] = bias->shape[0];
    FailureOr<TensorInfo> shaped = reshape(*bias, s);
    if (failed(shaped))
      return failure();
    r = binary("Add", *r, *shaped);
    if (failed(r))
      return failure();
  }
  setOutput(0, *r);
  return success();
}

/// A 2-D or 3-D convolution: linalg's named NCHW/NCDHW ops; groups of a 2-D
/// one split the channels ([N, G*C, H, W] -> [N, G, C, H, W], weights
/// [G*M, C, kh, kw] -> [G, M, C, kh, kw]) and merge G*M again.
FailureOr<TensorInfo> Importer::emitConv(TensorInfo &x, TensorInfo &w,
                                         const Window &win, int64_t group) {
  Type type = x.elementType;
  SymShape padded = x.shape;
  Value in = padSpatial(get(x), padded, win, scalarConst(type, 0));
  SymShape outShape = {x.shape[0], w.shape[0]};
  for (size_t d = 0; d < win.rank(); ++d)
    outShape.push_back(windowOutput(win, d, x.shape[2 + d]));
  auto strides = b.getI64TensorAttr(win.strides);
  auto dilations = b.getI64TensorAttr(win.dilations);
  Value zero = scalarConst(type, 0);
  if (group == 1) {
    Value out = emitFill(outShape, type, zero);
    SmallVector<Value> ins{in, get(w)};
    Value r = win.rank() == 3 ? linalg::Conv3DNcdhwFcdhwOp::create(
                                    b, loc, TypeRange{out.getType()}, ins,
                                    ValueRange{out}, strides, dilations)
                                    .getResult(0)
                              : linalg::Conv2DNchwFchwOp::create(
                                    b, loc, TypeRange{out.getType()}, ins,
                                    ValueRange{out}, strides, dilations)
                                    .getResult(0);
    return makeInfo(r, outShape);
  }
  SymExpr g = SymExpr::constant(group);
  SymExpr perGroupIn = w.shape[1];
  SymExpr perGroupOut = SymExpr::constant(*w.shape[0].getConstant() / group);
  TensorInfo pin = makeInfo(in, padded);
  FailureOr<TensorInfo> xg =
      reshape(pin, {padded[0], g, perGroupIn, padded[2], padded[3]});
  FailureOr<TensorInfo> wg =
      reshape(w, {g, perGroupOut, w.shape[1], w.shape[2], w.shape[3]});
  if (failed(xg) || failed(wg))
    return failure();
  SymShape gShape = {outShape[0], g, perGroupOut, outShape[2], outShape[3]};
  Value out = emitFill(gShape, type, zero);
  Value conv =
      linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{out.getType()},
                                         ValueRange{get(*xg), get(*wg)},
                                         ValueRange{out}, strides, dilations)
          .getResult(0);
  TensorInfo gi = makeInfo(conv, gShape);
  return reshape(gi, outShape);
}

LogicalResult Importer::importPool(const onnx::NodeProto &n) {
  if (failed(onlyFirstOutput()))
    return failure();
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  bool isMax = n.op_type() == "MaxPool";
  int64_t rank = x.getRank();
  if ((rank != 3 && rank != 4) || !isa<FloatType>(x.elementType))
    return unsupported("pooling other than 1-D or 2-D on floats");
  if (getInt("storage_order", 0))
    return unsupported("storage_order");
  auto kernel = getInts("kernel_shape");
  if (!kernel || static_cast<int64_t>(kernel->size()) != rank - 2)
    return nodeError() << "kernel_shape must have one entry per spatial "
                          "dimension",
           failure();
  FailureOr<Window> win =
      getWindow(*kernel, ArrayRef<SymExpr>(x.shape).drop_front(2));
  if (failed(win))
    return failure();
  bool countIncludePad = getInt("count_include_pad", 0);
  if (!isMax && countIncludePad &&
      llvm::any_of(win->ceilPads, [](int64_t p) { return p != 0; }))
    return unsupported("ceil_mode with count_include_pad");
  auto emit = [&](ArrayRef<TensorInfo *> ops, const Window &w) {
    return emitPool(*ops[0], w, isMax, countIncludePad);
  };
  return setResult(rank == 3 ? as2D({&x}, *win, emit)
                             : emitPool(x, *win, isMax, countIncludePad));
}

/// 2-D max or average pooling (linalg's NCHW pooling ops). The average
/// divides by the window's size, or without count_include_pad by how many
/// input elements the window covers: the same pooling over ones.
FailureOr<TensorInfo> Importer::emitPool(TensorInfo &x, const Window &win,
                                         bool isMax, bool countIncludePad) {
  auto ft = cast<FloatType>(x.elementType);
  SymShape outShape = {x.shape[0], x.shape[1], windowOutput(win, 0, x.shape[2]),
                       windowOutput(win, 1, x.shape[3])};
  Value padValue =
      isMax ? arith::ConstantOp::create(
                  b, loc,
                  FloatAttr::get(ft,
                                 APFloat::getInf(ft.getFloatSemantics(), true)))
                  .getResult()
            : scalarConst(ft, 0);
  auto pool = [&](Value in) -> Value {
    SymShape shape = x.shape;
    in = padSpatial(in, shape, win, padValue);
    Value window = tensor::EmptyOp::create(b, loc, win.kernel, ft);
    Value out = emitFill(outShape, ft, padValue);
    auto strides = b.getI64TensorAttr(win.strides);
    auto dilations = b.getI64TensorAttr(win.dilations);
    SmallVector<Type> types{out.getType()};
    if (isMax)
      return linalg::PoolingNchwMaxOp::create(
                 b, loc, types, ValueRange{in, window}, ValueRange{out},
                 strides, dilations)
          .getResult(0);
    return linalg::PoolingNchwSumOp::create(b, loc, types,
                                            ValueRange{in, window},
                                            ValueRange{out}, strides, dilations)
        .getResult(0);
  };
  TensorInfo result = makeInfo(pool(get(x)), outShape);
  if (isMax)
    return result;
  bool padded = llvm::any_of(llvm::seq<size_t>(0, win.rank()),
                             [&](size_t d) { return win.padSum(d) != 0; });
  TensorInfo count;
  if (!padded || countIncludePad)
    count = makeConstant(DenseElementsAttr::get(
        RankedTensorType::get({}, ft),
        FloatAttr::get(ft, win.kernel[0] * win.kernel[1])));
  else
    count = makeInfo(pool(emitFill(x.shape, ft, scalarConst(ft, 1))), outShape);
  return binary("Div", result, count);
}

LogicalResult Importer::importGlobalPool(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  if ((*x)->getRank() < 3 || !isa<FloatType>((*x)->elementType))
    return unsupported("global pooling of rank < 3 or of integers");
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, (*x)->getRank()));
  return setResult(emitReduce(
      **x, axes, true,
      n.op_type() == "GlobalMaxPool" ? ReduceKind::Max : ReduceKind::Mean));
}

LogicalResult Importer::importDataDependent(const onnx::NodeProto &n) {
  return dataDependent("the output shape of " + n.op_type());
}

const llvm::StringMap<Importer::Handler> &Importer::getHandlers() {
  static const llvm::StringMap<Handler> handlers = [] {
    llvm::StringMap<Handler> h;
    for (StringRef op :
         {"Relu", "Tanh", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Sigmoid",
          "Reciprocal", "Floor", "Ceil", "Not", "Sin", "Cos", "Round",
          "HardSwish", "Softplus", "Softsign"})
      h[op] = &Importer::importUnary;
    for (StringRef op :
         {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "LessOrEqual",
          "Greater", "GreaterOrEqual", "And", "Or", "Xor"})
      h[op] = &Importer::importBinary;
    for (StringRef op : {"Max", "Min", "Sum", "Mean"})
      h[op] = &Importer::importVariadic;
    for (StringRef op :
         {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"})
      h[op] = &Importer::importReduce;
    h["Constant"] = &Importer::importConstant;
    h["Identity"] = &Importer::importIdentity;
    h["Dropout"] = &Importer::importIdentity;
    h["Where"] = &Importer::importWhere;
    h["Cast"] = &Importer::importCast;
    h["Clip"] = &Importer::importClip;
    for (StringRef op :
         {"LeakyRelu", "HardSigmoid", "Elu", "Selu", "Celu", "ThresholdedRelu"})
      h[op] = &Importer::importActivation;
    h["Shape"] = &Importer::importShape;
    h["Reshape"] = &Importer::importReshape;
    h["Flatten"] = &Importer::importFlatten;
    h["Unsqueeze"] = &Importer::importUnsqueeze;
    h["Squeeze"] = &Importer::importSqueeze;
    h["Transpose"] = &Importer::importTranspose;
    h["Concat"] = &Importer::importConcat;
    h["Slice"] = &Importer::importSlice;
    h["Split"] = &Importer::importSplit;
    h["Gather"] = &Importer::importGather;
    h["Expand"] = &Importer::importExpand;
    h["ConstantOfShape"] = &Importer::importConstantOfShape;
    h["Range"] = &Importer::importRange;
    h["Trilu"] = &Importer::importTrilu;
    h["MatMul"] = &Importer::importMatMul;
    h["Gemm"] = &Importer::importGemm;
    h["Softmax"] = &Importer::importSoftmax;
    h["LogSoftmax"] = &Importer::importSoftmax;
    h["LayerNormalization"] = &Importer::importLayerNorm;
    h["BatchNormalization"] = &Importer::importBatchNorm;
    h["Conv"] = &Importer::importConv;
    h["MaxPool"] = &Importer::importPool;
    h["AveragePool"] = &Importer::importPool;
    h["GlobalAveragePool"] = &Importer::importGlobalPool;
    h["GlobalMaxPool"] = &Importer::importGlobalPool;
    h["ArgMax"] = &Importer::importArgReduce;
    h["ArgMin"] = &Importer::importArgReduce;
    h["Tile"] = &Importer::importTile;
    h["Pad"] = &Importer::importPad;
    h["Einsum"] = &Importer::importEinsum;
    h["Resize"] = &Importer::importResize;
    return h;
  }();
  return handlers;
}

/// Ops whose meaning is the same from opset 1 on (unary elementwise ops and
/// global pooling: their early versions only add `consumed_inputs`).
static bool isElementwiseSinceOpset1(StringRef op) {
  return getFloatUnaryOps().count(op) || op == "Relu" || op == "Neg" ||
         op == "Abs" || op == "Not" || op == "GlobalAveragePool" ||
         op == "GlobalMaxPool";
}

/// Ops whose output shape depends on data: a clear error, not "unsupported".
static bool isDataDependentOp(StringRef op) {
  return op == "NonZero" || op == "Unique" || op == "If" || op == "Loop" ||
         op == "Scan" || op == "NonMaxSuppression" || op == "Compress";
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

LogicalResult Importer::parseDimOptions() {
  Location optLoc = FileLineColLoc::get(ctx, "<command line>", 0, 0);
  SmallVector<StringRef> items;
  StringRef(options.dims).split(items, ',', -1, false);
  for (StringRef item : items) {
    auto [lhs, name] = item.split('=');
    auto [input, axis] = lhs.rsplit(':');
    unsigned a;
    if (name.empty() || input.empty() || axis.getAsInteger(10, a))
      return emitError(optLoc)
             << "--dims: expected 'input:axis=name', got '" << item << "'";
    dimRenames[lhs.trim()] = name.trim().str();
  }
  items.clear();
  StringRef(options.staticDims).split(items, ',', -1, false);
  for (StringRef item : items) {
    auto [name, value] = item.split('=');
    int64_t v;
    if (name.empty() || value.trim().getAsInteger(10, v) || v < 1)
      return emitError(optLoc)
             << "--static: expected 'name=size' with a positive size, got '"
             << item << "'";
    staticDims[name.trim()] = v;
  }
  return success();
}

/// A C identifier for the function name.
static std::string sanitizeName(StringRef name) {
  std::string s;
  for (char c : name)
    s.push_back(llvm::isAlnum(c) || c == '_' ? c : '_');
  if (s.empty() || llvm::isDigit(s[0]))
    s = "main_graph" + (s.empty() ? "" : "_" + s);
  return s;
}

/// The type of a graph input, with --dims, --static and the test driver's
/// shapes applied; `names` gets each dimension's name ("" if static).
FailureOr<RankedTensorType>
Importer::getInputType(const onnx::ValueInfoProto &in,
                       SmallVector<std::string> &names) {
  if (!in.type().has_tensor_type())
    return emitError(loc) << "graph input '" << in.name()
                          << "': " << kUnsupported << " type (only tensors)";
  const auto &tt = in.type().tensor_type();
  Type elementType = getElementType(ctx, tt.elem_type());
  if (!elementType)
    return emitError(loc) << "graph input '" << in.name()
                          << "': " << kUnsupported << " element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(
                                     tt.elem_type()));
  if (!tt.has_shape())
    return emitError(loc) << "graph input '" << in.name()
                          << "': " << kUnsupported << " unknown rank";
  SmallVector<int64_t> dims;
  auto override = options.inputShapes.find(in.name());
  for (auto [axis, d] : llvm::enumerate(tt.shape().dim())) {
    std::string name;
    int64_t size = ShapedType::kDynamic;
    if (override != options.inputShapes.end()) {
      if (override->second.size() != (size_t)tt.shape().dim_size())
        return emitError(loc) << "graph input '" << in.name()
                              << "': the given shape has the wrong rank";
      size = override->second[axis];
    } else if (d.has_dim_value() && d.dim_value() > 0) {
      size = d.dim_value();
    } else {
      name = d.has_dim_param() && !d.dim_param().empty()
                 ? d.dim_param()
                 : in.name() + "_" + std::to_string(axis);
    }
    auto rename = dimRenames.find(in.name() + ":" + std::to_string(axis));
    if (rename != dimRenames.end()) {
      name = rename->second;
      size = ShapedType::kDynamic;
    }
    if (!name.empty()) {
      auto pinned = staticDims.find(name);
      if (pinned != staticDims.end()) {
        size = pinned->second;
        name.clear();
      }
    }
    dims.push_back(size);
    names.push_back(name);
  }
  return RankedTensorType::get(dims, elementType);
}

LogicalResult Importer::createFunction(ModuleOp module) {
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  Location graphLoc = loc;
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  // Each dynamic dimension of each argument: its name, or "" if static.
  SmallVector<SmallVector<std::string>> argDimNames;
  for (const auto &in : graph.input()) {
    if (initializers.contains(in.name()) ||
        options.constantInputs.count(in.name()))
      continue;
    SmallVector<std::string> names;
    FailureOr<RankedTensorType> type = getInputType(in, names);
    if (failed(type))
      return failure();
    argTypes.push_back(*type);
    args.push_back(&in);
    argDimNames.push_back(names);
  }
  SmallVector<Type> resultTypes;
  std::string name =
      options.funcName.empty() ? sanitizeName(graph.name()) : options.funcName;
  b.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(b, graphLoc, name, b.getFunctionType(argTypes, {}));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, in] : llvm::enumerate(args)) {
    func.setArgAttr(i, kOnnxNameAttrName, b.getStringAttr(in->name()));
    BlockArgument arg = entry->getArgument(i);
    auto type = cast<RankedTensorType>(arg.getType());
    TensorInfo info;
    info.value = arg;
    info.elementType = type.getElementType();
    SmallVector<Attribute> dimNames;
    bool anyName = false;
    for (auto [axis, dimName] : llvm::enumerate(argDimNames[i])) {
      if (!type.isDynamicDim(axis)) {
        info.shape.push_back(SymExpr::constant(type.getDimSize(axis)));
        dimNames.push_back(b.getStringAttr(""));
        continue;
      }
      anyName = true;
      dimNames.push_back(b.getStringAttr(dimName));
      auto it = symbolsByKey.find(dimName);
      if (it != symbolsByKey.end()) {
        info.shape.push_back(SymExpr::symbol(it->second));
        continue;
      }
      Value size = tensor::DimOp::create(b, graphLoc, arg, axis);
      info.shape.push_back(freshSymbol(dimName, size));
    }
    if (anyName)
      func.setArgAttr(i, kDimsAttrName, b.getArrayAttr(dimNames));
    values[in->name()] = info;
  }
  for (const auto &init : graph.initializer()) {
    FailureOr<DenseElementsAttr> t = convertTensor(ctx, init, modelDir, loc);
    if (failed(t))
      return failure();
    values[init.name()] = makeConstant(*t);
  }
  for (const auto &[inputName, value] : options.constantInputs)
    values[inputName] = makeConstant(value);
  return success();
}

LogicalResult Importer::importNode(const onnx::NodeProto &n, unsigned index) {
  node = &n;
  std::string nodeName =
      n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
  auto [line, col] = index < nodeLines.size() ? nodeLines[index]
                                              : std::pair<unsigned, unsigned>{};
  loc = NameLoc::get(b.getStringAttr(nodeName),
                     FileLineColLoc::get(ctx, fileName, line, col));
  StringRef domain = n.domain();
  opset = 0;
  for (const auto &o : model.opset_import())
    if (o.domain() == domain || (domain == "ai.onnx" && o.domain().empty()))
      opset = o.version();
  if (!domain.empty() && domain != "ai.onnx")
    return unsupported("op domain '" + domain + "'");
  for (int i = 0; i < n.input_size(); ++i)
    if (!n.input(i).empty() && !values.count(n.input(i)))
      return nodeError() << "input '" << n.input(i) << "' is not defined "
                         << "before the node",
             failure();
  if (isDataDependentOp(n.op_type()))
    return importDataDependent(n);
  // Before opset 7 most ops differ (legacy broadcasting, attributes that
  // became inputs); the elementwise ones without such changes are read.
  if (opset < 7 && !isElementwiseSinceOpset1(n.op_type()))
    return unsupported("opset " + Twine(opset) +
                       " (ops other than the "
                       "elementwise activations need opset 7 or later)");
  const auto &handlers = getHandlers();
  auto it = handlers.find(n.op_type());
  if (it == handlers.end()) {
    InFlightDiagnostic diag = nodeError();
    diag << kUnsupported << " op; the importer supports: ";
    llvm::interleaveComma(getSupportedOnnxOps(), diag);
    return failure();
  }
  try {
    return (this->*(it->second))(n);
  } catch (const SymExprOverflow &) {
    return nodeError() << "a size computed by this node overflows 64-bit "
                          "integers",
           failure();
  }
}

/// Fuses each elementwise generic into its consumer when it has no other
/// user: one ONNX node becomes one generic, and an exporter's chains of
/// them (tanh GELU: eight nodes; scale then mask the attention scores; the
/// square of the centered values summed for a variance) would otherwise
/// each read and write a whole tensor, where hand-written linalg computes
/// the chain in one loop. A producer that its consumer broadcasts (a
/// layer norm's 1 / sqrt(var + eps) per row) stays apart: fused, it would be
/// recomputed for every element. Folding and constant CSE stay off so that
/// the output still reads node by node.
static void fuseElementwiseChains(func::FuncOp func) {
  RewritePatternSet patterns(func.getContext());
  linalg::populateElementwiseOpsFusionPatterns(
      patterns, [](OpOperand *operand) {
        Operation *producer = operand->get().getDefiningOp();
        auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
        return producer && producer->hasOneUse() && consumer &&
               consumer.getMatchingIndexingMap(operand).isPermutation();
      });
  GreedyRewriteConfig config;
  config.enableFolding(false)
      .enableConstantCSE(false)
      .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
  (void)applyPatternsGreedily(func, std::move(patterns), config);
}

OwningOpRef<ModuleOp> Importer::run() {
  if (failed(parseDimOptions()))
    return {};
  for (const auto &o : model.opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") &&
        (o.version() < 1 || o.version() > 18)) {
      emitError(loc) << kUnsupported << " opset " << o.version()
                     << " (the importer reads opsets 1 to 18)";
      return {};
    }
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  if (failed(createFunction(*module)))
    return {};
  auto func = *module->getOps<func::FuncOp>().begin();
  for (auto [index, n] : llvm::enumerate(graph.node()))
    if (failed(importNode(n, index)))
      return {};
  loc = FileLineColLoc::get(ctx, fileName, 0, 0);
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(loc) << "graph output '" << out.name()
                     << "' is not computed by any node";
      return {};
    }
    Value v = get(it->second);
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(b, loc, results);
  func.setFunctionType(b.getFunctionType(func.getArgumentTypes(), resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kOnnxNameAttrName, b.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return {};
  if (options.fuseElementwise)
    fuseElementwiseChains(func);
  return module;
}

/// The line and column of every node in a text model, for locations.
void collectNodeLines(const google::protobuf::TextFormat::ParseInfoTree &tree,
                      int numNodes,
                      SmallVectorImpl<std::pair<unsigned, unsigned>> &lines) {
  const auto *graphField =
      onnx::ModelProto::descriptor()->FindFieldByName("graph");
  const auto *nodeField =
      onnx::GraphProto::descriptor()->FindFieldByName("node");
  // A singular field's index is -1; repeated ones count from 0.
  const auto *graphTree = tree.GetTreeForNested(graphField, -1);
  if (!graphTree)
    return;
  for (int i = 0; i < numNodes; ++i) {
    auto l = graphTree->GetLocation(nodeField, i);
    lines.push_back({static_cast<unsigned>(std::max(l.line, 0) + 1),
                     static_cast<unsigned>(std::max(l.column, 0) + 1)});
  }
}

/// Collects protobuf's text parser errors as diagnostics.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  TextErrorCollector(MLIRContext *ctx, StringRef fileName)
      : ctx(ctx), fileName(fileName) {}
  void AddError(int line, int column, const std::string &message) override {
    emitError(FileLineColLoc::get(ctx, fileName, line + 1, column + 1))
        << "invalid ONNX text model: " << message;
  }

private:
  MLIRContext *ctx;
  StringRef fileName;
};

} // namespace

//===----------------------------------------------------------------------===//
// API
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> mlir::bucket::importOnnxModel(
    MLIRContext *context, StringRef buffer, bool isText, StringRef fileName,
    StringRef modelDir, const OnnxImportOptions &options) {
  context->loadDialect<arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect, BucketDialect>();
  Location fileLoc = FileLineColLoc::get(context, fileName, 0, 0);
  onnx::ModelProto model;
  SmallVector<std::pair<unsigned, unsigned>> nodeLines;
  if (isText) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors(context, fileName);
    google::protobuf::TextFormat::ParseInfoTree tree;
    parser.RecordErrorsTo(&errors);
    parser.WriteLocationsTo(&tree);
    google::protobuf::io::ArrayInputStream stream(buffer.data(), buffer.size());
    if (!parser.Parse(&stream, &model))
      return {};
    collectNodeLines(tree, model.graph().node_size(), nodeLines);
  } else if (buffer.size() > static_cast<size_t>(INT_MAX) ||
             !model.ParseFromArray(buffer.data(), buffer.size())) {
    emitError(fileLoc) << "not a valid ONNX model (protobuf parse failed)";
    return {};
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << "the ONNX model has no graph";
    return {};
  }
  Importer importer(context, model, fileName, modelDir, options, nodeLines);
  return importer.run();
}

bool mlir::bucket::isOnnxModelPath(StringRef path) {
  return path.ends_with(".onnx") || path.ends_with(".onnxtxt") ||
         path.ends_with(".pbtxt") || path.ends_with(".textproto");
}

OwningOpRef<ModuleOp>
mlir::bucket::importOnnxModelFile(MLIRContext *context, StringRef path,
                                  const OnnxImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!file) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << file.getError().message();
    return {};
  }
  bool isText = !path.ends_with(".onnx");
  return importOnnxModel(context, (*file)->getBuffer(), isText, path,
                         llvm::sys::path::parent_path(path), options);
}

FailureOr<DenseElementsAttr>
mlir::bucket::readOnnxTensorFile(MLIRContext *context, StringRef path,
                                 std::string *name) {
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  onnx::TensorProto tensor;
  if (!file || !tensor.ParseFromArray((*file)->getBufferStart(),
                                      (*file)->getBufferSize())) {
    emitError(loc) << "cannot read an ONNX tensor from '" << path << "'";
    return failure();
  }
  if (name)
    *name = tensor.name();
  return convertTensor(context, tensor, llvm::sys::path::parent_path(path),
                       loc);
}

SmallVector<StringRef> mlir::bucket::getSupportedOnnxOps() {
  SmallVector<StringRef> ops;
  for (const auto &entry : Importer::getHandlers())
    ops.push_back(entry.getKey());
  llvm::sort(ops);
  return ops;
}
