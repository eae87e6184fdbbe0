//===- RuntimeFuzzer.cpp - libFuzzer target for the runtime API -----------===//
//
// Calls a generated model (test/e2e/Inputs/tiny_model.mlir, buckets 2, 4,
// 16, with a self-checking dispatcher) through the runtime API with
// descriptors built from the input: random ranks (invalid ones included),
// element types, sizes (zero, negative, huge, overflowing products),
// strides, null pointers, and caller-supplied or runtime-allocated results;
// plus bucket_function_select with random dimension values and lookups of
// random names. A crash, a sanitizer report or a hang is a bug; a status is
// the expected answer to a bad call, and a call that succeeds must have
// filled its result.
//
// Every non-null data pointer points into a buffer large enough for any
// tensor the runtime may accept for this model (at most 16 x 4 elements of
// at most 8 bytes): passing a buffer smaller than its descriptor says is the
// caller's error, not one the runtime can see.
//
//===----------------------------------------------------------------------===//

#include "tiny.h" // generated: scale_rows_call, scale_rows_info, tiny_model

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

/// Reads the fuzzer's bytes as a stream of values.
class Input {
public:
  Input(const uint8_t *data, size_t size) : data(data), size(size) {}
  template <typename T>
  T take() {
    T value{};
    size_t n = std::min(sizeof(T), size - pos);
    std::memcpy(&value, data + pos, n);
    pos += n;
    return value;
  }
  size_t left() const { return size - pos; }

private:
  const uint8_t *data;
  size_t size;
  size_t pos = 0;
};

/// A size: mostly small and plausible, sometimes anything.
int64_t takeSize(Input &in) {
  uint8_t kind = in.take<uint8_t>();
  switch (kind % 8) {
  case 0:
    return in.take<int64_t>();
  case 1:
    return -static_cast<int64_t>(in.take<uint8_t>());
  default:
    return in.take<uint8_t>() % 20;
  }
}

alignas(64) unsigned char buffers[4][1 << 16];

/// A descriptor from the input, pointing into buffers[slot] (or NULL).
void takeTensor(Input &in, int slot, bucket_tensor_t &tensor) {
  std::memset(&tensor, 0, sizeof tensor);
  uint8_t flags = in.take<uint8_t>();
  tensor.data = (flags & 1) ? nullptr : buffers[slot];
  tensor.element_type = static_cast<bucket_element_type_t>(
      (flags & 2) ? in.take<int32_t>() : BUCKET_ELEMENT_F32);
  tensor.rank = (flags & 4) ? in.take<int32_t>() : 1 + in.take<uint8_t>() % 2;
  int32_t rank = tensor.rank;
  if (rank < 0 || rank > BUCKET_MAX_RANK)
    rank = BUCKET_MAX_RANK;
  for (int32_t d = 0; d < rank; ++d)
    tensor.shape[d] = (flags & 8) ? takeSize(in) : (d == 1 ? 4 : takeSize(in));
  // Row-major strides, or whatever the input says.
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    tensor.strides[d] = (flags & 16) ? in.take<int64_t>() : stride;
    // Huge sizes make huge strides: saturate rather than overflow.
    if (__builtin_mul_overflow(
            stride, tensor.shape[d] > 0 ? tensor.shape[d] : 1, &stride))
      stride = INT64_MAX;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in(data, size);
  const bucket_function_info_t *fn =
      bucket_model_find_function(&tiny_model, "scale_rows");
  if (!fn)
    abort();

  // Selection with random dimension values.
  int64_t dims[1] = {takeSize(in)};
  int32_t bucket = -1;
  bucket_status_t status = bucket_function_select(fn, dims, &bucket);
  if (!status && (bucket < 0 || bucket >= fn->num_buckets ||
                  fn->buckets[bucket] < dims[0]))
    abort();
  bucket_status_free(status);

  // A lookup of a random name.
  std::string name(reinterpret_cast<const char *>(data),
                   std::min<size_t>(size, 16));
  if (bucket_model_find_function(&tiny_model, name.c_str()) &&
      std::strcmp(name.c_str(), "scale_rows") != 0)
    abort();

  // A call with random descriptors.
  bucket_tensor_t x, g, y;
  takeTensor(in, 0, x);
  takeTensor(in, 1, g);
  takeTensor(in, 2, y);
  bool callerResult = y.data != nullptr && in.take<uint8_t>() % 2;
  if (!callerResult)
    y.data = nullptr;
  uint8_t nulls = in.take<uint8_t>();
  status =
      scale_rows_call((nulls & 1) ? nullptr : &x, (nulls & 2) ? nullptr : &g,
                      (nulls & 4) ? nullptr : &y);
  if (!status) {
    // A successful call filled its result.
    if (!y.data || y.rank != 2 || y.shape[1] != 3)
      abort();
  }
  bucket_status_free(status);
  bucket_tensor_release(&y);
  return 0;
}
