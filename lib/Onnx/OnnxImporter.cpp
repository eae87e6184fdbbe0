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
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
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
/// not support (unsigned types, strings, 16-bit floats).
Type getElementType(MLIRContext *ctx, int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
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
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoull(entry.value());
    else if (entry.key() == "length") {
      length = std::stoull(entry.value());
      hasLength = true;
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
  if (offset > bytes.size() || (hasLength && offset + length > bytes.size())) {
    emitError(loc) << "external data of tensor '" << tensor.name()
                   << "' is outside '" << path << "'";
    return failure();
  }
  return bytes.substr(offset, hasLength ? length : StringRef::npos).str();
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
  auto sizeError = [&]() {
    emitError(loc) << "tensor '" << tensor.name() << "' holds the wrong number "
                   << "of elements for its shape";
    return failure();
  };
  if (hasRaw) {
    if (elementType.isInteger(1)) {
      if (static_cast<int64_t>(raw.size()) != numElements)
        return sizeError();
      SmallVector<bool> values(raw.begin(), raw.end());
      return DenseElementsAttr::get(type, ArrayRef<bool>(values));
    }
    int64_t width = elementType.getIntOrFloatBitWidth() / 8;
    if (static_cast<int64_t>(raw.size()) != numElements * width)
      return sizeError();
    // DenseElementsAttr's raw layout is the little-endian array ONNX stores.
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size()));
  }
  auto check = [&](int64_t n) { return n == numElements; };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT: {
    if (!check(tensor.float_data_size()))
      return sizeError();
    SmallVector<float> v(tensor.float_data().begin(),
                         tensor.float_data().end());
    return DenseElementsAttr::get(type, ArrayRef<float>(v));
  }
  case onnx::TensorProto::DOUBLE: {
    if (!check(tensor.double_data_size()))
      return sizeError();
    SmallVector<double> v(tensor.double_data().begin(),
                          tensor.double_data().end());
    return DenseElementsAttr::get(type, ArrayRef<double>(v));
  }
  case onnx::TensorProto::INT64: {
    if (!check(tensor.int64_data_size()))
      return sizeError();
    SmallVector<int64_t> v(tensor.int64_data().begin(),
                           tensor.int64_data().end());
    return DenseElementsAttr::get(type, ArrayRef<int64_t>(v));
  }
  default: {
    // INT32, INT8 and BOOL are stored in int32_data.
    if (!check(tensor.int32_data_size()))
      return sizeError();
    SmallVector<APInt> v;
    for (int32_t x : tensor.int32_data())
      v.push_back(APInt(elementType.getIntOrFloatBitWidth(),
                        static_cast<uint64_t>(static_cast<int64_t>(x)),
                        /*isSigned=*/true, /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, v);
  }
  }
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
  static const llvm::StringMap<Handler> &getHandlers();

private:
  // Setup.
  LogicalResult parseDimOptions();
  LogicalResult createFunction(ModuleOp module);
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
  enum class ReduceKind { Sum, Max, Min, Prod, Mean };
  FailureOr<TensorInfo> emitReduce(TensorInfo &x, ArrayRef<int64_t> axes,
                                   bool keepDims, ReduceKind kind);
  FailureOr<TensorInfo> reshape(TensorInfo &x, const SymShape &target);
  FailureOr<TensorInfo> binary(StringRef op, TensorInfo &a, TensorInfo &b);
  FailureOr<TensorInfo> unary(StringRef op, TensorInfo &x, float alpha = 0);
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

  // Op handlers (one per ONNX op or family).
  LogicalResult importConstant(const onnx::NodeProto &);
  LogicalResult importIdentity(const onnx::NodeProto &);
  LogicalResult importUnary(const onnx::NodeProto &);
  LogicalResult importBinary(const onnx::NodeProto &);
  LogicalResult importVariadic(const onnx::NodeProto &);
  LogicalResult importWhere(const onnx::NodeProto &);
  LogicalResult importCast(const onnx::NodeProto &);
  LogicalResult importClip(const onnx::NodeProto &);
  LogicalResult importLeakyRelu(const onnx::NodeProto &);
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
  LogicalResult importSoftmax(const onnx::NodeProto &);
  LogicalResult importReduce(const onnx::NodeProto &);
  LogicalResult importLayerNorm(const onnx::NodeProto &);
  LogicalResult importBatchNorm(const onnx::NodeProto &);
  LogicalResult importConv(const onnx::NodeProto &);
  LogicalResult importPool(const onnx::NodeProto &);
  LogicalResult importGlobalPool(const onnx::NodeProto &);
  LogicalResult importDataDependent(const onnx::NodeProto &);

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
  double initValue = 0;
  if (kind == ReduceKind::Prod)
    initValue = 1;
  Value init;
  if (kind == ReduceKind::Max || kind == ReduceKind::Min) {
    bool max = kind == ReduceKind::Max;
    if (auto ft = dyn_cast<FloatType>(type))
      init = arith::ConstantOp::create(
          b, loc,
          FloatAttr::get(ft, APFloat::getInf(ft.getFloatSemantics(),
                                             /*Negative=*/max)));
    else {
      unsigned w = type.getIntOrFloatBitWidth();
      init = arith::ConstantOp::create(
          b, loc,
          IntegerAttr::get(type, max ? APInt::getSignedMinValue(w)
                                     : APInt::getSignedMaxValue(w)));
    }
  } else {
    init = scalarConst(type, initValue);
  }
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
        Value v = args[0], acc = args[1], r;
        switch (kind) {
        case ReduceKind::Sum:
        case ReduceKind::Mean:
          r = isFloat ? arith::AddFOp::create(ob, l, acc, v).getResult()
                      : arith::AddIOp::create(ob, l, acc, v).getResult();
          break;
        case ReduceKind::Prod:
          r = isFloat ? arith::MulFOp::create(ob, l, acc, v).getResult()
                      : arith::MulIOp::create(ob, l, acc, v).getResult();
          break;
        case ReduceKind::Max:
          r = isFloat ? arith::MaximumFOp::create(ob, l, acc, v).getResult()
                      : arith::MaxSIOp::create(ob, l, acc, v).getResult();
          break;
        case ReduceKind::Min:
          r = isFloat ? arith::MinimumFOp::create(ob, l, acc, v).getResult()
                      : arith::MinSIOp::create(ob, l, acc, v).getResult();
          break;
        }
        linalg::YieldOp::create(ob, l, r);
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
  SmallVector<ReassociationIndices> inGroups, outGroups;
  size_t i = 0, j = 0, nIn = src.size(), nOut = target.size();
  bool matched = true;
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
        matched = false;
        break;
      }
    }
    if (!matched)
      break;
    inGroups.push_back(ig);
    outGroups.push_back(og);
  }
  if (matched) {
    // Trailing unit dimensions join the last group.
    for (; i < nIn; ++i) {
      if (!src[i].isConstant(1))
        matched = false;
      inGroups.back().push_back(i);
    }
    for (; j < nOut; ++j) {
      if (!target[j].isConstant(1))
        matched = false;
      outGroups.back().push_back(j);
    }
  }
  if (!matched) {
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

FailureOr<TensorInfo> Importer::unary(StringRef op, TensorInfo &x,
                                      float alpha) {
  Type type = x.elementType;
  bool isFloat = isa<FloatType>(type);
  bool floatOnly = op != "Neg" && op != "Abs" && op != "Not" &&
                   op != "Identity" && op != "Relu";
  if (floatOnly && !isFloat)
    return (void)unsupported("integer operand"), failure();
  if (op == "Not" && !type.isInteger(1))
    return (void)unsupported("non-boolean operand"), failure();
  auto body = [&](OpBuilder &ob, Location l, ValueRange args) -> Value {
    Value v = args[0];
    auto fc = [&](double c) -> Value {
      return arith::ConstantOp::create(ob, l, FloatAttr::get(type, c));
    };
    if (op == "Relu") {
      if (isFloat)
        return arith::MaximumFOp::create(ob, l, v, fc(0));
      Value zero = arith::ConstantOp::create(ob, l, IntegerAttr::get(type, 0));
      return arith::MaxSIOp::create(ob, l, v, zero);
    }
    if (op == "Neg")
      return isFloat
                 ? arith::NegFOp::create(ob, l, v).getResult()
                 : arith::SubIOp::create(ob, l,
                                         arith::ConstantOp::create(
                                             ob, l, IntegerAttr::get(type, 0)),
                                         v)
                       .getResult();
    if (op == "Abs")
      return isFloat ? math::AbsFOp::create(ob, l, v).getResult()
                     : math::AbsIOp::create(ob, l, v).getResult();
    if (op == "Not")
      return arith::XOrIOp::create(
          ob, l, v, arith::ConstantOp::create(ob, l, ob.getBoolAttr(true)));
    if (op == "Tanh")
      return math::TanhOp::create(ob, l, v);
    if (op == "Erf")
      return math::ErfOp::create(ob, l, v);
    if (op == "Sqrt")
      return math::SqrtOp::create(ob, l, v);
    if (op == "Exp")
      return math::ExpOp::create(ob, l, v);
    if (op == "Log")
      return math::LogOp::create(ob, l, v);
    if (op == "Floor")
      return math::FloorOp::create(ob, l, v);
    if (op == "Ceil")
      return math::CeilOp::create(ob, l, v);
    if (op == "Sin")
      return math::SinOp::create(ob, l, v);
    if (op == "Cos")
      return math::CosOp::create(ob, l, v);
    if (op == "Reciprocal")
      return arith::DivFOp::create(ob, l, fc(1), v);
    if (op == "Sigmoid") {
      Value e = math::ExpOp::create(ob, l, arith::NegFOp::create(ob, l, v));
      return arith::DivFOp::create(ob, l, fc(1),
                                   arith::AddFOp::create(ob, l, fc(1), e));
    }
    if (op == "LeakyRelu") {
      Value neg =
          arith::CmpFOp::create(ob, l, arith::CmpFPredicate::OLT, v, fc(0));
      Value scaled = arith::MulFOp::create(ob, l, v, fc(alpha));
      return arith::SelectOp::create(ob, l, neg, scaled, v);
    }
    llvm_unreachable("unary op without a body");
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
    if (auto folded = foldShapeBinary(op, *x.elements, *y.elements)) {
      SymShape shape = x.getRank() >= y.getRank() ? x.shape : y.shape;
      TensorInfo t;
      t.elementType = isCompare ? b.getI1Type() : type;
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
  FailureOr<TensorInfo> r = unary(n.op_type(), **x);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
}

LogicalResult Importer::importLeakyRelu(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  FailureOr<TensorInfo> r = unary("LeakyRelu", **x, getFloat("alpha", 0.01f));
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = binary(n.op_type(), **x, **y);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = emitMap(
      {*c, *x, *y}, (*x)->elementType,
      [](OpBuilder &ob, Location l, ValueRange args) -> Value {
        return arith::SelectOp::create(ob, l, args[0], args[1], args[2]);
      });
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r =
      emitMap({*x}, toType, [&](OpBuilder &ob, Location l, ValueRange args) {
        return convertScalar(ob, l, args[0], toType);
      });
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r =
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
      });
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = reshape(**x, target);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = reshape(**x, {outer, inner});
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = reshape(**x, target);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = reshape(**x, target);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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

LogicalResult Importer::importSlice(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  int64_t rank = (*x)->getRank();
  SmallVector<SymExpr> starts, ends;
  SmallVector<int64_t> axes, steps;
  if (opset < 10) {
    auto s = getInts("starts"), e = getInts("ends");
    if (!s || !e)
      return nodeError() << "missing starts or ends", failure();
    for (int64_t v : *s)
      starts.push_back(SymExpr::constant(v));
    for (int64_t v : *e)
      ends.push_back(SymExpr::constant(v));
    if (auto a = getInts("axes"))
      axes = *a;
  } else {
    FailureOr<SmallVector<SymExpr>> s = getElements(1, "starts"),
                                    e = getElements(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = getConstInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (hasInput(4)) {
      FailureOr<SmallVector<int64_t>> st = getConstInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
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
  SmallVector<SymExpr> offsets(rank, SymExpr::constant(0));
  SymShape sizes = (*x)->shape;
  SmallVector<int64_t> strides(rank, 1);
  constexpr int64_t kBig = std::numeric_limits<int64_t>::max() / 2;
  for (size_t k = 0; k < axes.size(); ++k) {
    FailureOr<int64_t> axis = normalizeAxis(axes[k], rank);
    if (failed(axis))
      return failure();
    const SymExpr &dim = (*x)->shape[*axis];
    if (steps[k] <= 0)
      return unsupported("Slice with a step that is not positive");
    // ONNX clamps starts and ends into [0, dim]: exactly for constant
    // sizes; for symbolic sizes, constants count from the end when negative
    // and "to the end" when huge.
    auto resolve = [&](const SymExpr &v) -> std::optional<SymExpr> {
      std::optional<int64_t> c = v.getConstant();
      std::optional<int64_t> d = dim.getConstant();
      if (c && d) {
        int64_t r = *c < 0 ? *c + *d : *c;
        return SymExpr::constant(std::clamp<int64_t>(r, 0, *d));
      }
      if (c && *c >= kBig)
        return dim;
      if (c && *c < 0)
        return dim + v;
      if (c && *c == 0)
        return v;
      // A symbolic bound, or a positive constant against a symbolic size:
      // taken as given, the exporters' bounds are never past the end.
      return v;
    };
    std::optional<SymExpr> start = resolve(starts[k]), end = resolve(ends[k]);
    SymExpr length = *end - *start;
    if (steps[k] != 1) {
      std::optional<int64_t> cl = length.getConstant();
      if (!cl)
        return unsupported("strided Slice of a symbolic size");
      length = SymExpr::constant(
          std::max<int64_t>(0, (*cl + steps[k] - 1) / steps[k]));
    } else if (auto cl = length.getConstant(); cl && *cl < 0) {
      length = SymExpr::constant(0);
    }
    offsets[*axis] = *start;
    sizes[*axis] = length;
    strides[*axis] = steps[k];
  }
  if ((*x)->elements && rank == 1) {
    std::optional<int64_t> o = offsets[0].getConstant(),
                           n = sizes[0].getConstant();
    if (o && n) {
      SmallVector<SymExpr> elements;
      for (int64_t k = 0; k < *n; ++k)
        elements.push_back((*(*x)->elements)[*o + k * strides[0]]);
      setOutput(0, makeShapeValue(elements, false, (*x)->elementType));
      return success();
    }
  }
  FailureOr<TensorInfo> r = extractSlice(**x, offsets, sizes, strides);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = emitMap(
      {*x}, (*x)->elementType,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; }, &*shape);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r =
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
      });
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions, normalizations, reductions
//===----------------------------------------------------------------------===//

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
  bool isFloat = isa<FloatType>(type);
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
  } else {
    // Batch dimensions: a generic contraction over them, not a reshape to a
    // batch_matmul, whose merged [batch*seq] rows the padding analysis
    // cannot prove independent.
    int64_t nbatch = batch->size();
    int64_t loops = nbatch + 3;
    auto operandMap = [&](TensorInfo &t, AffineExpr row, AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      int64_t r = t.getRank();
      for (int64_t d = 0; d < r - 2; ++d) {
        int64_t od = nbatch - (r - 2) + d;
        exprs.push_back(t.shape[d].isConstant(1) && !(*batch)[od].isConstant(1)
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
        b, loc, out.getType(), ValueRange{get(a), get(c)}, ValueRange{out},
        maps, iterators, [&](OpBuilder &ob, Location l, ValueRange args) {
          Value p =
              isFloat
                  ? arith::MulFOp::create(ob, l, args[0], args[1]).getResult()
                  : arith::MulIOp::create(ob, l, args[0], args[1]).getResult();
          Value s = isFloat
                        ? arith::AddFOp::create(ob, l, args[2], p).getResult()
                        : arith::AddIOp::create(ob, l, args[2], p).getResult();
          linalg::YieldOp::create(ob, l, s);
        });
    result = makeInfo(generic.getResult(0), outShape);
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
  auto transpose = [&](TensorInfo &t) {
    SymShape shape{t.shape[1], t.shape[0]};
    Value init = emitEmpty(shape, t.elementType);
    auto op = linalg::TransposeOp::create(b, loc, get(t), init,
                                          ArrayRef<int64_t>{1, 0});
    return makeInfo(op.getResult()[0], shape);
  };
  if (getInt("transA", 0))
    a = transpose(a);
  if (getInt("transB", 0))
    c = transpose(c);
  SymShape shape{a.shape[0], c.shape[1]};
  Value out = emitFill(shape, type, scalarConst(type, 0));
  auto mm = linalg::MatmulOp::create(b, loc, ValueRange{get(a), get(c)},
                                     ValueRange{out});
  TensorInfo result = makeInfo(mm.getResult(0), shape);
  double alpha = getFloat("alpha", 1.0f), beta = getFloat("beta", 1.0f);
  TensorInfo *bias = input(2);
  if (alpha != 1.0 || (bias && beta != 0.0)) {
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
  if (n.op_type() == "LogSoftmax") {
    FailureOr<TensorInfo> r = unary("Log", result);
    if (failed(r))
      return failure();
    result = *r;
  }
  setOutput(0, result);
  return success();
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
  FailureOr<TensorInfo> r =
      emitReduce(**x, normalized, getInt("keepdims", 1), kind);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  SmallVector<TensorInfo *> ins{&*centered, &*var, *scale};
  if (TensorInfo *bias = input(2))
    ins.push_back(bias);
  FailureOr<TensorInfo> r = emitMap(
      ins, type,
      [&](OpBuilder &ob, Location l, ValueRange args) {
        Value e = arith::ConstantOp::create(ob, l, FloatAttr::get(type, eps));
        Value d = math::SqrtOp::create(
            ob, l, arith::AddFOp::create(ob, l, args[1], e));
        Value v = arith::DivFOp::create(ob, l, args[0], d);
        v = arith::MulFOp::create(ob, l, v, args[2]);
        if (args.size() > 3)
          v = arith::AddFOp::create(ob, l, v, args[3]);
        return v;
      },
      &(*x)->shape);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
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
  FailureOr<TensorInfo> r = emitMap(
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
      &x.shape);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
}

/// The output size of a window of `kernel` (dilated) over `size` with the
/// pads and stride: an exact expression where the stride divides, else a
/// fresh symbol computed with a floor division.
static SymExpr
windowOutput(Importer &, const SymExpr &size, int64_t padSum, int64_t kernel,
             int64_t stride, int64_t dilation,
             const std::function<SymExpr(const SymExpr &, int64_t)> &floorDiv) {
  SymExpr span = size + SymExpr::constant(padSum - dilation * (kernel - 1) - 1);
  if (auto c = span.getConstant())
    return SymExpr::constant((*c >= 0 ? *c / stride : -1) + 1);
  if (stride == 1)
    return span + SymExpr::constant(1);
  return floorDiv(span, stride) + SymExpr::constant(1);
}

LogicalResult Importer::importConv(const onnx::NodeProto &) {
  FailureOr<TensorInfo *> px = requireInput(0), pw = requireInput(1);
  if (failed(px) || failed(pw))
    return failure();
  TensorInfo &x = **px, &w = **pw;
  if (x.getRank() != 4 || w.getRank() != 4)
    return unsupported("Conv of rank other than 2 spatial dimensions");
  Type type = x.elementType;
  if (!isa<FloatType>(type))
    return unsupported("integer Conv");
  std::string autoPad = getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return unsupported("auto_pad " + autoPad);
  SmallVector<int64_t> pads =
      getInts("pads").value_or(SmallVector<int64_t>(4, 0));
  SmallVector<int64_t> strides =
      getInts("strides").value_or(SmallVector<int64_t>(2, 1));
  SmallVector<int64_t> dilations =
      getInts("dilations").value_or(SmallVector<int64_t>(2, 1));
  if (autoPad == "VALID")
    pads.assign(4, 0);
  if (pads.size() != 4 || strides.size() != 2 || dilations.size() != 2)
    return nodeError() << "pads, strides or dilations of the wrong length",
           failure();
  int64_t group = getInt("group", 1);
  std::optional<int64_t> cin = x.shape[1].getConstant(),
                         cout = w.shape[0].getConstant(),
                         kh = w.shape[2].getConstant(),
                         kw = w.shape[3].getConstant(),
                         cg = w.shape[1].getConstant();
  if (!cin || !cout || !kh || !kw || !cg)
    return unsupported("Conv with symbolic channels or kernel size");
  if (group < 1 || *cin != *cg * group || *cout % group != 0)
    return nodeError() << "channels do not match the group count", failure();
  Value in = get(x);
  SymShape padded = x.shape;
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(pads[0]),
                                     b.getIndexAttr(pads[1])};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(pads[2]),
                                      b.getIndexAttr(pads[3])};
    padded[2] = padded[2] + SymExpr::constant(pads[0] + pads[2]);
    padded[3] = padded[3] + SymExpr::constant(pads[1] + pads[3]);
    in = tensor::PadOp::create(b, loc, getType(padded, type), in, low, high,
                               scalarConst(type, 0));
  }
  auto floorDiv = [&](const SymExpr &e, int64_t d) {
    Value v = arith::FloorDivSIOp::create(
        b, loc, materialize(e), arith::ConstantIndexOp::create(b, loc, d));
    return freshSymbol("floordiv(" + e.key() + "," + std::to_string(d) + ")",
                       v);
  };
  SymShape outShape = {x.shape[0], w.shape[0],
                       windowOutput(*this, x.shape[2], pads[0] + pads[2], *kh,
                                    strides[0], dilations[0], floorDiv),
                       windowOutput(*this, x.shape[3], pads[1] + pads[3], *kw,
                                    strides[1], dilations[1], floorDiv)};
  auto stridesAttr = b.getI64TensorAttr(strides);
  auto dilationsAttr = b.getI64TensorAttr(dilations);
  Value result;
  if (group == 1) {
    Value out = emitFill(outShape, type, scalarConst(type, 0));
    result = linalg::Conv2DNchwFchwOp::create(
                 b, loc, TypeRange{out.getType()}, ValueRange{in, get(w)},
                 ValueRange{out}, stridesAttr, dilationsAttr)
                 .getResult(0);
  } else {
    // Groups: [N, G*C, H, W] -> [N, G, C, H, W] and [G*M, C, kh, kw] ->
    // [G, M, C, kh, kw], one grouped convolution, then merge G*M again.
    SymExpr g = SymExpr::constant(group);
    TensorInfo pin = makeInfo(in, padded);
    FailureOr<TensorInfo> xg = reshape(
        pin, {padded[0], g, SymExpr::constant(*cg), padded[2], padded[3]});
    FailureOr<TensorInfo> wg = reshape(w, {g, SymExpr::constant(*cout / group),
                                           w.shape[1], w.shape[2], w.shape[3]});
    if (failed(xg) || failed(wg))
      return failure();
    SymShape gShape = {outShape[0], g, SymExpr::constant(*cout / group),
                       outShape[2], outShape[3]};
    Value out = emitFill(gShape, type, scalarConst(type, 0));
    Value conv =
        linalg::Conv2DNgchwGfchwOp::create(
            b, loc, TypeRange{out.getType()}, ValueRange{get(*xg), get(*wg)},
            ValueRange{out}, stridesAttr, dilationsAttr)
            .getResult(0);
    TensorInfo gi = makeInfo(conv, gShape);
    FailureOr<TensorInfo> merged = reshape(gi, outShape);
    if (failed(merged))
      return failure();
    result = merged->value;
  }
  TensorInfo ri = makeInfo(result, outShape);
  if (TensorInfo *bias = input(2)) {
    FailureOr<TensorInfo> b4 = reshape(
        *bias, {bias->shape[0], SymExpr::constant(1), SymExpr::constant(1)});
    if (failed(b4))
      return failure();
    FailureOr<TensorInfo> r = binary("Add", ri, *b4);
    if (failed(r))
      return failure();
    ri = *r;
  }
  setOutput(0, ri);
  return success();
}

LogicalResult Importer::importPool(const onnx::NodeProto &n) {
  if (failed(onlyFirstOutput()))
    return failure();
  FailureOr<TensorInfo *> px = requireInput(0);
  if (failed(px))
    return failure();
  TensorInfo &x = **px;
  bool isMax = n.op_type() == "MaxPool";
  Type type = x.elementType;
  if (x.getRank() != 4 || !isa<FloatType>(type))
    return unsupported("pooling other than 2D on floats");
  std::string autoPad = getString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return unsupported("auto_pad " + autoPad);
  if (getInt("ceil_mode", 0))
    return unsupported("ceil_mode");
  if (getInt("storage_order", 0))
    return unsupported("storage_order");
  auto kernel = getInts("kernel_shape");
  if (!kernel || kernel->size() != 2)
    return unsupported("kernel_shape other than 2D");
  SmallVector<int64_t> pads =
      getInts("pads").value_or(SmallVector<int64_t>(4, 0));
  SmallVector<int64_t> strides =
      getInts("strides").value_or(SmallVector<int64_t>(2, 1));
  SmallVector<int64_t> dilations =
      getInts("dilations").value_or(SmallVector<int64_t>(2, 1));
  if (autoPad == "VALID")
    pads.assign(4, 0);
  if (pads.size() != 4 || strides.size() != 2 || dilations.size() != 2)
    return nodeError() << "pads, strides or dilations of the wrong length",
           failure();
  bool hasPads = llvm::any_of(pads, [](int64_t p) { return p != 0; });
  bool countIncludePad = getInt("count_include_pad", 0);
  auto floorDiv = [&](const SymExpr &e, int64_t d) {
    Value v = arith::FloorDivSIOp::create(
        b, loc, materialize(e), arith::ConstantIndexOp::create(b, loc, d));
    return freshSymbol("floordiv(" + e.key() + "," + std::to_string(d) + ")",
                       v);
  };
  SymShape outShape = {
      x.shape[0], x.shape[1],
      windowOutput(*this, x.shape[2], pads[0] + pads[2], (*kernel)[0],
                   strides[0], dilations[0], floorDiv),
      windowOutput(*this, x.shape[3], pads[1] + pads[3], (*kernel)[1],
                   strides[1], dilations[1], floorDiv)};
  auto ft = cast<FloatType>(type);
  Value padValue =
      isMax ? arith::ConstantOp::create(
                  b, loc,
                  FloatAttr::get(ft,
                                 APFloat::getInf(ft.getFloatSemantics(), true)))
                  .getResult()
            : scalarConst(type, 0);
  auto pool = [&](Value in, SymShape inShape) -> Value {
    if (hasPads) {
      SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                       b.getIndexAttr(pads[0]),
                                       b.getIndexAttr(pads[1])};
      SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                        b.getIndexAttr(pads[2]),
                                        b.getIndexAttr(pads[3])};
      inShape[2] = inShape[2] + SymExpr::constant(pads[0] + pads[2]);
      inShape[3] = inShape[3] + SymExpr::constant(pads[1] + pads[3]);
      in = tensor::PadOp::create(b, loc, getType(inShape, type), in, low, high,
                                 padValue);
    }
    Value window = tensor::EmptyOp::create(b, loc, *kernel, type);
    Value out = emitFill(outShape, type, padValue);
    auto stridesAttr = b.getI64TensorAttr(strides);
    auto dilationsAttr = b.getI64TensorAttr(dilations);
    if (isMax)
      return linalg::PoolingNchwMaxOp::create(
                 b, loc, TypeRange{out.getType()}, ValueRange{in, window},
                 ValueRange{out}, stridesAttr, dilationsAttr)
          .getResult(0);
    return linalg::PoolingNchwSumOp::create(
               b, loc, TypeRange{out.getType()}, ValueRange{in, window},
               ValueRange{out}, stridesAttr, dilationsAttr)
        .getResult(0);
  };
  TensorInfo result = makeInfo(pool(get(x), x.shape), outShape);
  if (!isMax) {
    TensorInfo count;
    if (!hasPads || countIncludePad) {
      count = makeConstant(DenseElementsAttr::get(
          RankedTensorType::get({}, type),
          FloatAttr::get(type, (*kernel)[0] * (*kernel)[1])));
    } else {
      // The window sizes without the padding: the same pooling of ones.
      Value ones = emitFill(x.shape, type, scalarConst(type, 1));
      count = makeInfo(pool(ones, x.shape), outShape);
    }
    FailureOr<TensorInfo> r = binary("Div", result, count);
    if (failed(r))
      return failure();
    result = *r;
  }
  setOutput(0, result);
  return success();
}

LogicalResult Importer::importGlobalPool(const onnx::NodeProto &n) {
  FailureOr<TensorInfo *> x = requireInput(0);
  if (failed(x))
    return failure();
  if ((*x)->getRank() < 3 || !isa<FloatType>((*x)->elementType))
    return unsupported("global pooling of rank < 3 or of integers");
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, (*x)->getRank()));
  FailureOr<TensorInfo> r = emitReduce(
      **x, axes, true,
      n.op_type() == "GlobalMaxPool" ? ReduceKind::Max : ReduceKind::Mean);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
}

LogicalResult Importer::importDataDependent(const onnx::NodeProto &n) {
  return dataDependent("the output shape of " + n.op_type());
}

const llvm::StringMap<Importer::Handler> &Importer::getHandlers() {
  static const llvm::StringMap<Handler> handlers = [] {
    llvm::StringMap<Handler> h;
    for (StringRef op :
         {"Relu", "Tanh", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Sigmoid",
          "Reciprocal", "Floor", "Ceil", "Not", "Sin", "Cos"})
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
    h["LeakyRelu"] = &Importer::importLeakyRelu;
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
    return h;
  }();
  return handlers;
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
    if (!in.type().has_tensor_type())
      return emitError(graphLoc)
             << "graph input '" << in.name() << "': " << kUnsupported
             << " type (only tensors)";
    const auto &tt = in.type().tensor_type();
    Type elementType = getElementType(ctx, tt.elem_type());
    if (!elementType)
      return emitError(graphLoc)
             << "graph input '" << in.name() << "': " << kUnsupported
             << " element type "
             << onnx::TensorProto::DataType_Name(
                    static_cast<onnx::TensorProto::DataType>(tt.elem_type()));
    if (!tt.has_shape())
      return emitError(graphLoc) << "graph input '" << in.name()
                                 << "': " << kUnsupported << " unknown rank";
    SmallVector<int64_t> dims;
    SmallVector<std::string> names;
    auto override = options.inputShapes.find(in.name());
    for (auto [axis, d] : llvm::enumerate(tt.shape().dim())) {
      std::string name;
      int64_t size = ShapedType::kDynamic;
      if (override != options.inputShapes.end()) {
        if (override->second.size() != (size_t)tt.shape().dim_size())
          return emitError(graphLoc) << "graph input '" << in.name()
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
    argTypes.push_back(RankedTensorType::get(dims, elementType));
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
  const auto &handlers = getHandlers();
  auto it = handlers.find(n.op_type());
  if (it == handlers.end()) {
    InFlightDiagnostic diag = nodeError();
    diag << kUnsupported << " op; the importer supports: ";
    llvm::interleaveComma(getSupportedOnnxOps(), diag);
    return failure();
  }
  return (this->*(it->second))(n);
}

OwningOpRef<ModuleOp> Importer::run() {
  if (failed(parseDimOptions()))
    return {};
  for (const auto &o : model.opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") &&
        (o.version() < 7 || o.version() > 18)) {
      emitError(loc) << kUnsupported << " opset " << o.version()
                     << " (the importer reads opsets 7 to 18)";
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
