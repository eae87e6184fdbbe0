//===- compare.cpp - bucket-e2e-compare: bucketed vs reference objects ----===//
//
// Loads two shared objects that export the MLIR C interface of one function
// (`_mlir_ciface_<func>`): the reference (the original dynamic-shape module
// lowered by upstream mlir-opt) and the bucketed one (bucket-compile). For
// every shape of a list it builds deterministic pseudo-random inputs, calls
// both and compares every result: same shape, values equal (bit for bit by
// default, or within --atol/--rtol). For out-of-range shapes it checks that
// the bucketed object reports through bucket_take_out_of_range (dimension
// index, value, largest bucket size) and returns results whose symbolic
// dimensions are 0.
//
//   bucket-e2e-compare --ref ref.so --test test.so --func mlp
//       --args 'f32[batch,16];f32[16,8]' --results 'f32[batch,8]'
//       --dims 'batch=1..20' [--points 'b=1,4,5;s=1,8,9'] ...
//       [--out-of-range 'batch=21'] [--max 'batch=20']
//       [--atol A] [--rtol R] [--seed N] [--dim-order 'b,s']
//       [--dump-inputs] [-v]
//
// Signatures. --args and --results are ';'-separated lists of
//   TYPE[DIM,...]        TYPE in f32 f64 i1 i8 i16 i32 i64
//                        DIM a name (a symbolic dimension), an integer (a
//                        static size) or, in results only, '?' (any size).
// An argument may end in '=GEN', how its values are drawn:
//   =LO..HI   uniform: integers in [LO, HI], floats in [LO, HI)
//   =mask     0/1 along the last dimension: a prefix of ones (at least one)
//             followed by up to a quarter of trailing zeros (padding tokens)
//   =stale:NAME[,NAME...]  floats as by default where the index of the
//             first dimension is below NAME (the second below the second
//             NAME, ...) and NaN elsewhere: a cache whose entries past the
//             valid length, or in the rows of padded batch entries, must
//             not matter
//
// State arguments. --state 'A=R,...' declares argument A a state tied to
// result R (docs/State.md): the bucketed object must update it in place and
// return result R as the argument's own buffer (the same address), on every
// shape, out-of-range ones included (where the state must stay unchanged).
// Its updated value is compared with the reference's result R like any
// result.
// Defaults: floats in [-1, 1), i1 in [0, 1], other integers in [0, 9].
//
// Shapes. --dims and --points take 'NAME=ITEMS;NAME=ITEMS', ITEMS a
// ','-separated list of values 'N' or ranges 'A..B'; each option adds the
// product of its lists (so '--dims b=1..4;s=8' is 4 shapes and
// '--points b=1,4;s=1,8' is 4 shapes). They may be repeated; duplicate
// shapes run once. Every symbolic dimension must get a value in each option.
// --out-of-range uses the same syntax for shapes the bucketed object must
// reject.
//
// Symbolic dimension indices (what the runtime reports as `dim`) follow the
// order of first appearance in --args, unless --dim-order lists the names.
// The largest bucket size per dimension (the expected `max`) comes from
// --max, or defaults to the largest in-range value tested for it.
//
// Checks per in-range shape: the reference's result shapes match --results;
// the bucketed object reports no out-of-range, leaves its arguments unchanged
// (each call gets its own copy of the inputs; the runtime API promises that
// arguments are only read, while the reference may write them: -v notes it),
// and returns results of the reference's shapes whose elements are equal:
// integers exactly; floats bit for bit (so -0 != +0, any NaN == any NaN), or
// with --atol/--rtol, |test - ref| <= atol + rtol * |ref|. Every result
// buffer is freed once (not an argument's buffer nor a constant global).
//
// Output: one line per failing shape (first mismatch: index, ref, test), a
// 'stats:' line with the largest differences seen, and a last line
//   compare: P passed, F failed
// The exit status is 0 only if nothing failed (and something was compared).
// -v prints every passing shape too; --dump-inputs prints the inputs (the
// first 64 elements of each) of every in-range shape.
//
// The signature is not checked against the objects (they carry no type
// information): a wrong rank in --args/--results makes the harness read the
// descriptors wrongly.
//
//===----------------------------------------------------------------------===//

#include "bucket/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr int kMaxRank = 4;
constexpr int kMaxValues = 8;

[[noreturn]] void usageError(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  std::fprintf(stderr, "bucket-e2e-compare: ");
  std::vfprintf(stderr, format, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  std::exit(2);
}

//===----------------------------------------------------------------------===//
// Parsing helpers
//===----------------------------------------------------------------------===//

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(trim(s.substr(start, pos - start)));
    if (pos == std::string::npos)
      break;
    start = pos + 1;
  }
  return parts;
}

bool parseInt(const std::string &s, int64_t &out) {
  if (s.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno || *end)
    return false;
  out = v;
  return true;
}

bool parseDouble(const std::string &s, double &out) {
  if (s.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (errno || *end)
    return false;
  out = v;
  return true;
}

bool isName(const std::string &s) {
  if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_'))
    return false;
  for (char c : s)
    if (!(std::isalnum((unsigned char)c) || c == '_' || c == '.'))
      return false;
  return true;
}

// "A..B" -> (A, B). Works for negative bounds ("-1..1").
bool splitRange(const std::string &s, std::string &lo, std::string &hi) {
  size_t pos = s.find("..");
  if (pos == std::string::npos)
    return false;
  lo = trim(s.substr(0, pos));
  hi = trim(s.substr(pos + 2));
  return true;
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

enum class ElemType { F32, F64, I1, I8, I16, I32, I64 };

bool parseElemType(const std::string &s, ElemType &t) {
  static const std::pair<const char *, ElemType> names[] = {
      {"f32", ElemType::F32}, {"f64", ElemType::F64}, {"i1", ElemType::I1},
      {"i8", ElemType::I8},   {"i16", ElemType::I16}, {"i32", ElemType::I32},
      {"i64", ElemType::I64}};
  for (const auto &n : names)
    if (s == n.first) {
      t = n.second;
      return true;
    }
  return false;
}

size_t elemSize(ElemType t) {
  switch (t) {
  case ElemType::F32:
    return 4;
  case ElemType::F64:
    return 8;
  case ElemType::I1:
    return 1; // MLIR stores i1 as one byte
  case ElemType::I8:
    return 1;
  case ElemType::I16:
    return 2;
  case ElemType::I32:
    return 4;
  case ElemType::I64:
    return 8;
  }
  return 0;
}

bool isFloat(ElemType t) { return t == ElemType::F32 || t == ElemType::F64; }

struct DimRef {
  enum Kind { Static, Symbolic, Any } kind = Static;
  int64_t size = 0; // Static
  int sym = -1;     // Symbolic: index into the symbolic dimensions
  std::string name;
};

struct ValueSpec {
  ElemType type = ElemType::F32;
  std::vector<DimRef> dims;
  enum Gen { Default, Range, Mask, Stale } gen = Default;
  double lo = 0, hi = 0;
  /// Stale: the symbolic dimensions bounding the valid part of the leading
  /// dimensions, outermost first.
  std::vector<std::string> staleNames;
  std::vector<int> staleSyms;
  std::string text;
};

struct SymbolTable {
  std::vector<std::string> names;
  int lookup(const std::string &n) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == n)
        return (int)i;
    return -1;
  }
  int getOrAdd(const std::string &n) {
    int i = lookup(n);
    if (i >= 0)
      return i;
    names.push_back(n);
    return (int)names.size() - 1;
  }
};

ValueSpec parseValueSpec(const std::string &text, bool isArg,
                         SymbolTable &syms) {
  ValueSpec v;
  v.text = text;
  size_t lb = text.find('['), rb = text.find(']');
  if (lb == std::string::npos || rb == std::string::npos || rb < lb)
    usageError("bad value spec '%s' (expected TYPE[DIM,...])", text.c_str());
  if (!parseElemType(trim(text.substr(0, lb)), v.type))
    usageError("bad element type in '%s'", text.c_str());
  std::string dims = trim(text.substr(lb + 1, rb - lb - 1));
  if (!dims.empty()) {
    for (const std::string &d : split(dims, ',')) {
      DimRef ref;
      int64_t n;
      if (parseInt(d, n) && n >= 0) {
        ref.kind = DimRef::Static;
        ref.size = n;
      } else if (d == "?" && !isArg) {
        ref.kind = DimRef::Any;
      } else if (isName(d)) {
        ref.kind = DimRef::Symbolic;
        ref.name = d;
        if (isArg) {
          ref.sym = syms.getOrAdd(d);
        } else {
          ref.sym = syms.lookup(d);
          if (ref.sym < 0)
            usageError("result dimension '%s' in '%s' is not an argument "
                       "dimension",
                       d.c_str(), text.c_str());
        }
      } else {
        usageError("bad dimension '%s' in '%s'", d.c_str(), text.c_str());
      }
      v.dims.push_back(ref);
    }
  }
  if (v.dims.size() > (size_t)kMaxRank)
    usageError("rank above %d in '%s'", kMaxRank, text.c_str());
  std::string rest = trim(text.substr(rb + 1));
  if (!rest.empty()) {
    if (!isArg || rest[0] != '=')
      usageError("unexpected '%s' after '%s'", rest.c_str(),
                 text.substr(0, rb + 1).c_str());
    std::string gen = trim(rest.substr(1));
    std::string lo, hi;
    if (gen == "mask") {
      if (isFloat(v.type) || v.dims.empty())
        usageError("'=mask' needs an integer argument of rank >= 1: '%s'",
                   text.c_str());
      v.gen = ValueSpec::Mask;
    } else if (gen.rfind("stale:", 0) == 0) {
      for (const std::string &name : split(gen.substr(6), ','))
        v.staleNames.push_back(trim(name));
      if (!isFloat(v.type) || v.staleNames.size() > v.dims.size() ||
          !std::all_of(v.staleNames.begin(), v.staleNames.end(), isName))
        usageError("'=stale:NAME,...' needs a float argument with at least a "
                   "dimension per name: '%s'",
                   text.c_str());
      v.gen = ValueSpec::Stale;
    } else if (splitRange(gen, lo, hi) && parseDouble(lo, v.lo) &&
               parseDouble(hi, v.hi) && v.lo <= v.hi) {
      v.gen = ValueSpec::Range;
    } else {
      usageError("bad generator '%s' in '%s' (LO..HI or mask)", gen.c_str(),
                 text.c_str());
    }
  }
  return v;
}

std::vector<ValueSpec> parseSignature(const std::string &text, bool isArg,
                                      SymbolTable &syms) {
  std::vector<ValueSpec> values;
  for (const std::string &part : split(text, ';'))
    if (!part.empty())
      values.push_back(parseValueSpec(part, isArg, syms));
  if (values.empty() || values.size() > (size_t)kMaxValues)
    usageError("%s: need 1 to %d values", isArg ? "--args" : "--results",
               kMaxValues);
  return values;
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

using Shape = std::vector<int64_t>; // one value per symbolic dimension

// 'NAME=ITEMS;...' -> per symbolic dimension, its list of values.
std::vector<std::vector<int64_t>> parseAssignments(const std::string &opt,
                                                   const std::string &text,
                                                   const SymbolTable &syms) {
  std::vector<std::vector<int64_t>> values(syms.names.size());
  std::vector<bool> seen(syms.names.size(), false);
  for (const std::string &part : split(text, ';')) {
    if (part.empty())
      continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos)
      usageError("%s: expected NAME=VALUES in '%s'", opt.c_str(), part.c_str());
    std::string name = trim(part.substr(0, eq));
    int sym = syms.lookup(name);
    if (sym < 0)
      usageError("%s: '%s' is not a symbolic dimension of --args", opt.c_str(),
                 name.c_str());
    if (seen[sym])
      usageError("%s: '%s' given twice", opt.c_str(), name.c_str());
    seen[sym] = true;
    for (const std::string &item : split(part.substr(eq + 1), ',')) {
      std::string lo, hi;
      int64_t a, b;
      if (splitRange(item, lo, hi)) {
        if (!parseInt(lo, a) || !parseInt(hi, b) || a > b || a < 0)
          usageError("%s: bad range '%s'", opt.c_str(), item.c_str());
        for (int64_t x = a; x <= b; ++x)
          values[sym].push_back(x);
      } else {
        if (!parseInt(item, a) || a < 0)
          usageError("%s: bad value '%s'", opt.c_str(), item.c_str());
        values[sym].push_back(a);
      }
    }
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      usageError("%s '%s' gives no value for dimension '%s'", opt.c_str(),
                 text.c_str(), syms.names[i].c_str());
  return values;
}

void addProduct(const std::vector<std::vector<int64_t>> &lists,
                std::vector<Shape> &shapes, std::set<Shape> &seen) {
  Shape cur(lists.size());
  // Odometer over the lists, first dimension slowest.
  std::vector<size_t> pos(lists.size(), 0);
  for (const auto &l : lists)
    if (l.empty())
      return;
  while (true) {
    for (size_t i = 0; i < lists.size(); ++i)
      cur[i] = lists[i][pos[i]];
    if (seen.insert(cur).second)
      shapes.push_back(cur);
    size_t i = lists.size();
    while (i > 0) {
      --i;
      if (++pos[i] < lists[i].size())
        break;
      pos[i] = 0;
      if (i == 0)
        return;
    }
    if (lists.empty())
      return;
  }
}

std::string shapeText(const Shape &s, const SymbolTable &syms) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i)
      out += ",";
    out += syms.names[i] + "=" + std::to_string(s[i]);
  }
  return out;
}

std::string indexText(const std::vector<int64_t> &idx) {
  std::string out = "[";
  for (size_t i = 0; i < idx.size(); ++i) {
    if (i)
      out += ",";
    out += std::to_string(idx[i]);
  }
  return out + "]";
}

//===----------------------------------------------------------------------===//
// Deterministic inputs
//===----------------------------------------------------------------------===//

struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() { // splitmix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * 0x1.0p-53; } // [0, 1)
  int64_t between(int64_t lo, int64_t hi) {               // [lo, hi]
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(span ? next() % span : next());
  }
};

void storeInt(ElemType t, void *p, int64_t v) {
  switch (t) {
  case ElemType::I1:
    *(uint8_t *)p = (uint8_t)(v != 0);
    break;
  case ElemType::I8:
    *(int8_t *)p = (int8_t)v;
    break;
  case ElemType::I16:
    *(int16_t *)p = (int16_t)v;
    break;
  case ElemType::I32:
    *(int32_t *)p = (int32_t)v;
    break;
  case ElemType::I64:
    *(int64_t *)p = v;
    break;
  case ElemType::F32:
    *(float *)p = (float)v;
    break;
  case ElemType::F64:
    *(double *)p = (double)v;
    break;
  }
}

int64_t loadInt(ElemType t, const void *p) {
  switch (t) {
  case ElemType::I1:
    return *(const uint8_t *)p;
  case ElemType::I8:
    return *(const int8_t *)p;
  case ElemType::I16:
    return *(const int16_t *)p;
  case ElemType::I32:
    return *(const int32_t *)p;
  case ElemType::I64:
    return *(const int64_t *)p;
  case ElemType::F32:
    return (int64_t)*(const float *)p;
  case ElemType::F64:
    return (int64_t)*(const double *)p;
  }
  return 0;
}

double loadDouble(ElemType t, const void *p) {
  if (t == ElemType::F32)
    return *(const float *)p;
  if (t == ElemType::F64)
    return *(const double *)p;
  return (double)loadInt(t, p);
}

struct Tensor {
  std::vector<int64_t> sizes;
  std::vector<unsigned char> bytes;
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t s : sizes)
      n *= s;
    return n;
  }
};

std::vector<int64_t> concreteSizes(const ValueSpec &v, const Shape &shape) {
  std::vector<int64_t> sizes;
  for (const DimRef &d : v.dims)
    sizes.push_back(d.kind == DimRef::Symbolic ? shape[d.sym] : d.size);
  return sizes;
}

/// Whether element `linear` of a '=stale:' tensor of `sizes` lies past the
/// valid part: one of its leading indices at or past its bound.
bool isStale(const ValueSpec &v, const std::vector<int64_t> &sizes,
             const Shape &shape, int64_t linear) {
  for (size_t d = sizes.size(); d-- > 0;) {
    int64_t index = linear % sizes[d];
    linear /= sizes[d];
    if (d < v.staleSyms.size() && index >= shape[v.staleSyms[d]])
      return true;
  }
  return false;
}

Tensor makeInput(const ValueSpec &v, const Shape &shape, uint64_t seed,
                 size_t argIndex) {
  Tensor t;
  t.sizes = concreteSizes(v, shape);
  int64_t n = t.numElements();
  size_t es = elemSize(v.type);
  t.bytes.assign((size_t)n * es, 0);
  // The values depend on the seed, the argument and the shape only, not on
  // the order in which shapes run.
  uint64_t h = seed ^ (0xA0761D6478BD642Full * (argIndex + 1));
  for (int64_t s : shape)
    h = (h ^ (uint64_t)s) * 0x100000001B3ull;
  Rng rng(h);
  unsigned char *p = t.bytes.data();
  if (v.gen == ValueSpec::Mask) {
    int64_t inner = t.sizes.back();
    for (int64_t row = 0; inner > 0 && row < n / inner; ++row) {
      int64_t zeros = rng.between(0, inner / 4);
      for (int64_t i = 0; i < inner; ++i)
        storeInt(v.type, p + (size_t)(row * inner + i) * es,
                 i < inner - zeros ? 1 : 0);
    }
    return t;
  }
  if (isFloat(v.type)) {
    double lo = v.gen == ValueSpec::Range ? v.lo : -1.0;
    double hi = v.gen == ValueSpec::Range ? v.hi : 1.0;
    for (int64_t i = 0; i < n; ++i) {
      double x = lo + (hi - lo) * rng.uniform();
      if (v.type == ElemType::F32)
        ((float *)p)[i] = (float)x;
      else
        ((double *)p)[i] = x;
    }
    if (v.gen == ValueSpec::Stale)
      for (int64_t i = 0; i < n; ++i)
        if (isStale(v, t.sizes, shape, i)) {
          if (v.type == ElemType::F32)
            ((float *)p)[i] = std::nanf("");
          else
            ((double *)p)[i] = std::nan("");
        }
    return t;
  }
  int64_t lo = 0, hi = v.type == ElemType::I1 ? 1 : 9;
  if (v.gen == ValueSpec::Range) {
    lo = (int64_t)std::ceil(v.lo);
    hi = (int64_t)std::floor(v.hi);
  }
  for (int64_t i = 0; i < n; ++i)
    storeInt(v.type, p + (size_t)i * es, rng.between(lo, hi));
  return t;
}

//===----------------------------------------------------------------------===//
// Memref descriptors and calls
//===----------------------------------------------------------------------===//

// {allocated, aligned, offset, sizes[r], strides[r]}
std::vector<int64_t> descriptorFor(Tensor &t) {
  size_t r = t.sizes.size();
  std::vector<int64_t> d(3 + 2 * r, 0);
  d[0] = (int64_t)(intptr_t)t.bytes.data();
  d[1] = (int64_t)(intptr_t)t.bytes.data();
  d[2] = 0;
  int64_t stride = 1;
  for (size_t i = r; i > 0; --i) {
    d[3 + (i - 1)] = t.sizes[i - 1];
    d[3 + r + (i - 1)] = stride;
    stride *= t.sizes[i - 1];
  }
  return d;
}

// A view of one result descriptor inside the result storage.
struct ResultView {
  void *allocated;
  unsigned char *aligned;
  int64_t offset;
  std::vector<int64_t> sizes, strides;
};

using Ptr = void *;

void callCiface(void *fn, std::vector<Ptr> &p) {
  switch (p.size()) {
  case 2:
    ((void (*)(Ptr, Ptr))fn)(p[0], p[1]);
    return;
  case 3:
    ((void (*)(Ptr, Ptr, Ptr))fn)(p[0], p[1], p[2]);
    return;
  case 4:
    ((void (*)(Ptr, Ptr, Ptr, Ptr))fn)(p[0], p[1], p[2], p[3]);
    return;
  case 5:
    ((void (*)(Ptr, Ptr, Ptr, Ptr, Ptr))fn)(p[0], p[1], p[2], p[3], p[4]);
    return;
  case 6:
    ((void (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr))fn)(p[0], p[1], p[2], p[3], p[4],
                                                 p[5]);
    return;
  case 7:
    ((void (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr))fn)(p[0], p[1], p[2], p[3],
                                                      p[4], p[5], p[6]);
    return;
  case 8:
    ((void (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr))fn)(
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
    return;
  case 9:
    ((void (*)(Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr))fn)(
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
    return;
  }
  usageError("internal: unsupported arity %zu", p.size());
}

// The results of one call. Owns the buffers the generated code allocated,
// and the arguments the call got (a result may alias one of them).
struct CallResults {
  std::vector<Tensor> args;
  std::vector<int64_t> storage;
  std::vector<ResultView> views;
  std::vector<void *> toFree;

  CallResults() = default;
  CallResults(const CallResults &) = delete;
  CallResults &operator=(const CallResults &) = delete;
  ~CallResults() {
    for (void *p : toFree)
      std::free(p);
  }
};

// State arguments: argument index -> tied result index.
using StateMap = std::map<size_t, size_t>;

// Calls `fn` on copies of `inputs`; fills `out`. Returns false (and sets
// `note`) if the call modified one of its arguments other than a state in
// `states`, or returned a state's result in another buffer than the state's.
bool invoke(void *fn, const std::vector<ValueSpec> &results,
            const std::vector<Tensor> &inputs, CallResults &out,
            std::string &note, const StateMap &states = {}) {
  out.args = inputs; // the callee gets its own copies
  std::vector<std::vector<int64_t>> descs;
  descs.reserve(out.args.size());
  for (Tensor &t : out.args)
    descs.push_back(descriptorFor(t));
  size_t words = 0;
  for (const ValueSpec &r : results)
    words += 3 + 2 * r.dims.size();
  out.storage.assign(words, 0);

  std::vector<Ptr> ptrs;
  ptrs.push_back(out.storage.data());
  for (auto &d : descs)
    ptrs.push_back(d.data());
  callCiface(fn, ptrs);

  std::set<void *> argBuffers;
  for (const Tensor &t : out.args)
    argBuffers.insert((void *)t.bytes.data());
  size_t w = 0;
  std::set<void *> owned;
  for (const ValueSpec &r : results) {
    size_t rank = r.dims.size();
    ResultView v;
    v.allocated = (void *)(intptr_t)out.storage[w];
    v.aligned = (unsigned char *)(intptr_t)out.storage[w + 1];
    v.offset = out.storage[w + 2];
    for (size_t i = 0; i < rank; ++i) {
      v.sizes.push_back(out.storage[w + 3 + i]);
      v.strides.push_back(out.storage[w + 3 + rank + i]);
    }
    w += 3 + 2 * rank;
    // Free what the generated code malloc'ed, once; never an argument's
    // buffer (a result may alias an argument) or a constant global (MLIR's
    // 0xdeadbeef marker).
    if (v.allocated && v.allocated != (void *)(intptr_t)0xdeadbeef &&
        !argBuffers.count(v.allocated) && owned.insert(v.allocated).second)
      out.toFree.push_back(v.allocated);
    out.views.push_back(std::move(v));
  }
  for (auto [a, r] : states) {
    const ResultView &v = out.views[r];
    const unsigned char *first =
        v.aligned + v.offset * (int64_t)elemSize(results[r].type);
    if (first != out.args[a].bytes.data() ||
        v.allocated != (void *)out.args[a].bytes.data()) {
      note = "result " + std::to_string(r) + " is not state argument " +
             std::to_string(a) + "'s buffer (the state was copied)";
      return false;
    }
  }
  for (size_t i = 0; i < out.args.size(); ++i)
    if (!states.count(i) && out.args[i].bytes != inputs[i].bytes) {
      note = "argument " + std::to_string(i) + " was modified by the call";
      return false;
    }
  return true;
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

struct Options {
  std::string refPath, testPath, func;
  std::string args, results;
  std::vector<std::string> dims, points, outOfRange;
  std::string maxSpec, dimOrder, states;
  double atol = 0, rtol = 0;
  bool tolerance = false;
  uint64_t seed = 0x5EEDB0C4E7ull;
  bool verbose = false;
  bool dumpInputs = false;
};

struct Stats {
  double maxAbs = 0, maxRel = 0;
  std::string maxAbsWhere;
  int64_t elements = 0;
};

std::string formatValue(ElemType t, const void *p) {
  char buf[64];
  if (t == ElemType::F32)
    std::snprintf(buf, sizeof buf, "%.9g", (double)*(const float *)p);
  else if (t == ElemType::F64)
    std::snprintf(buf, sizeof buf, "%.17g", *(const double *)p);
  else
    std::snprintf(buf, sizeof buf, "%" PRId64, loadInt(t, p));
  return buf;
}

// Compares one result; returns "" if equal, else the first mismatch.
std::string compareResult(const ValueSpec &spec, const ResultView &ref,
                          const ResultView &test, const Options &opt,
                          Stats &stats, const std::string &where) {
  size_t rank = spec.dims.size();
  if (ref.sizes != test.sizes)
    return "shape " + indexText(test.sizes) + ", reference " +
           indexText(ref.sizes);
  int64_t n = 1;
  for (int64_t s : ref.sizes)
    n *= s;
  if (n > 0 && (!ref.aligned || !test.aligned))
    return std::string("null data pointer in the ") +
           (!ref.aligned ? "reference" : "test") + " result";
  size_t es = elemSize(spec.type);
  std::vector<int64_t> idx(rank, 0);
  int64_t mismatches = 0;
  std::string first;
  for (int64_t e = 0; e < n; ++e) {
    int64_t ro = ref.offset, to = test.offset;
    for (size_t i = 0; i < rank; ++i) {
      ro += idx[i] * ref.strides[i];
      to += idx[i] * test.strides[i];
    }
    const unsigned char *rp = ref.aligned + ro * (int64_t)es;
    const unsigned char *tp = test.aligned + to * (int64_t)es;
    bool equal;
    if (isFloat(spec.type)) {
      double a = loadDouble(spec.type, rp), b = loadDouble(spec.type, tp);
      double diff = std::fabs(a - b);
      if (std::isnan(a) || std::isnan(b)) {
        equal = std::isnan(a) && std::isnan(b);
      } else if (opt.tolerance) {
        equal = diff <= opt.atol + opt.rtol * std::fabs(a);
      } else {
        equal = std::memcmp(rp, tp, es) == 0; // bit-exact (-0 != +0)
      }
      if (!std::isnan(diff)) {
        if (diff > stats.maxAbs) {
          stats.maxAbs = diff;
          stats.maxAbsWhere = where + " " + indexText(idx);
        }
        double rel = diff / std::max(std::fabs(a), 1e-30);
        if (diff > 0 && rel > stats.maxRel)
          stats.maxRel = rel;
      }
    } else {
      equal = loadInt(spec.type, rp) == loadInt(spec.type, tp);
    }
    ++stats.elements;
    if (!equal) {
      if (mismatches++ == 0)
        first = "index " + indexText(idx) + " ref " +
                formatValue(spec.type, rp) + " test " +
                formatValue(spec.type, tp);
    }
    for (size_t i = rank; i > 0; --i) {
      if (++idx[i - 1] < ref.sizes[i - 1])
        break;
      idx[i - 1] = 0;
    }
  }
  if (mismatches)
    return first + " (" + std::to_string(mismatches) + " of " +
           std::to_string(n) + " elements differ)";
  return "";
}

// The declared result shape, checked on both objects.
std::string checkDeclaredShape(const ValueSpec &spec, const ResultView &v,
                               const Shape &shape, bool outOfRange) {
  for (size_t i = 0; i < spec.dims.size(); ++i) {
    const DimRef &d = spec.dims[i];
    int64_t want;
    if (d.kind == DimRef::Static)
      want = d.size;
    else if (outOfRange)
      want = 0; // every dynamic dimension is 0 when out of range
    else if (d.kind == DimRef::Symbolic)
      want = shape[d.sym];
    else
      continue;
    if (v.sizes[i] != want)
      return "shape " + indexText(v.sizes) + " has size " +
             std::to_string(v.sizes[i]) + " in dimension " + std::to_string(i) +
             ", expected " + std::to_string(want);
  }
  return "";
}

void dumpInputs(const std::vector<ValueSpec> &specs,
                const std::vector<Tensor> &inputs, const std::string &where) {
  for (size_t a = 0; a < inputs.size(); ++a) {
    size_t es = elemSize(specs[a].type);
    int64_t n = inputs[a].numElements();
    std::printf("input [%s] arg %zu %s:", where.c_str(), a,
                indexText(inputs[a].sizes).c_str());
    for (int64_t i = 0; i < n && i < 64; ++i)
      std::printf(
          " %s",
          formatValue(specs[a].type, inputs[a].bytes.data() + i * es).c_str());
    std::printf("%s\n", n > 64 ? " ..." : "");
  }
}

void *loadEntry(const std::string &path, const std::string &func,
                void **handle) {
  // A bare file name would make dlopen search the library path.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!*handle)
    usageError("cannot load %s: %s", path.c_str(), dlerror());
  std::string sym = "_mlir_ciface_" + func;
  void *fn = dlsym(*handle, sym.c_str());
  if (!fn)
    usageError("%s does not export %s", path.c_str(), sym.c_str());
  return fn;
}

void printUsage() {
  std::fprintf(
      stderr,
      "usage: bucket-e2e-compare --ref REF.so --test TEST.so --func NAME\n"
      "         --args 'TYPE[DIMS][=LO..HI|=mask|=stale:NAME,...];...' "
      "--results "
      "'TYPE[DIMS];...'\n"
      "         (--dims|--points) 'NAME=V,A..B;...' [--out-of-range "
      "'NAME=...;...']\n"
      "         [--max 'NAME=N;...'] [--dim-order 'NAME,...'] [--atol A] "
      "[--rtol R]\n"
      "         [--state 'ARG=RESULT,...'] [--seed N] [--dump-inputs] [-v]\n"
      "See the comment at the top of test/e2e/compare.cpp.\n");
}

} // namespace

int main(int argc, char **argv) {
  Options opt;
  bool haveAtol = false, haveRtol = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usageError("%s needs a value", a.c_str());
      return argv[++i];
    };
    if (a == "--ref")
      opt.refPath = value();
    else if (a == "--test")
      opt.testPath = value();
    else if (a == "--func")
      opt.func = value();
    else if (a == "--args")
      opt.args = value();
    else if (a == "--results")
      opt.results = value();
    else if (a == "--dims")
      opt.dims.push_back(value());
    else if (a == "--points")
      opt.points.push_back(value());
    else if (a == "--out-of-range")
      opt.outOfRange.push_back(value());
    else if (a == "--max")
      opt.maxSpec = value();
    else if (a == "--dim-order")
      opt.dimOrder = value();
    else if (a == "--state")
      opt.states = value();
    else if (a == "--atol") {
      std::string v = value();
      if (!parseDouble(v, opt.atol) || opt.atol < 0)
        usageError("bad --atol '%s'", v.c_str());
      haveAtol = true;
    } else if (a == "--rtol") {
      std::string v = value();
      if (!parseDouble(v, opt.rtol) || opt.rtol < 0)
        usageError("bad --rtol '%s'", v.c_str());
      haveRtol = true;
    } else if (a == "--seed") {
      std::string v = value();
      int64_t s;
      if (!parseInt(v, s))
        usageError("bad --seed '%s'", v.c_str());
      opt.seed = (uint64_t)s;
    } else if (a == "-v" || a == "--verbose")
      opt.verbose = true;
    else if (a == "--dump-inputs")
      opt.dumpInputs = true;
    else if (a == "-h" || a == "--help") {
      printUsage();
      return 0;
    } else {
      printUsage();
      usageError("unknown option '%s'", a.c_str());
    }
  }
  opt.tolerance = haveAtol || haveRtol;
  if (opt.refPath.empty() || opt.testPath.empty() || opt.func.empty() ||
      opt.args.empty() || opt.results.empty()) {
    printUsage();
    usageError("--ref, --test, --func, --args and --results are required");
  }

  SymbolTable syms;
  std::vector<ValueSpec> args = parseSignature(opt.args, true, syms);
  if (!opt.dimOrder.empty()) {
    // Renumber the symbolic dimensions into the given order.
    std::vector<std::string> order = split(opt.dimOrder, ',');
    if (order.size() != syms.names.size())
      usageError("--dim-order must list all %zu symbolic dimensions",
                 syms.names.size());
    SymbolTable reordered;
    for (const std::string &n : order) {
      if (syms.lookup(n) < 0 || reordered.lookup(n) >= 0)
        usageError("--dim-order: bad or repeated name '%s'", n.c_str());
      reordered.getOrAdd(n);
    }
    for (ValueSpec &v : args)
      for (DimRef &d : v.dims)
        if (d.kind == DimRef::Symbolic)
          d.sym = reordered.lookup(d.name);
    syms = reordered;
  }
  std::vector<ValueSpec> results = parseSignature(opt.results, false, syms);
  for (ValueSpec &v : args)
    for (const std::string &name : v.staleNames) {
      v.staleSyms.push_back(syms.lookup(name));
      if (v.staleSyms.back() < 0)
        usageError("'=stale:%s': no symbolic dimension '%s'", name.c_str(),
                   name.c_str());
    }
  StateMap states;
  for (const std::string &pair : opt.states.empty() ? std::vector<std::string>{}
                                                    : split(opt.states, ',')) {
    size_t eq = pair.find('=');
    int64_t ai, ri;
    if (eq == std::string::npos || !parseInt(trim(pair.substr(0, eq)), ai) ||
        !parseInt(trim(pair.substr(eq + 1)), ri) || ai < 0 ||
        ai >= (int64_t)args.size() || ri < 0 || ri >= (int64_t)results.size())
      usageError("bad --state '%s' (ARG=RESULT,...)", opt.states.c_str());
    states[(size_t)ai] = (size_t)ri;
  }

  std::vector<Shape> inRange, outRange;
  std::set<Shape> seenIn, seenOut;
  for (const std::string &s : opt.dims)
    addProduct(parseAssignments("--dims", s, syms), inRange, seenIn);
  for (const std::string &s : opt.points)
    addProduct(parseAssignments("--points", s, syms), inRange, seenIn);
  for (const std::string &s : opt.outOfRange)
    addProduct(parseAssignments("--out-of-range", s, syms), outRange, seenOut);
  if (syms.names.empty() && inRange.empty())
    inRange.push_back(Shape()); // a fully static signature: one call
  if (inRange.empty() && outRange.empty())
    usageError("no shapes: give --dims, --points or --out-of-range");

  // The largest bucket size per symbolic dimension.
  std::vector<int64_t> maxSize(syms.names.size(), -1);
  if (!opt.maxSpec.empty()) {
    auto lists = parseAssignments("--max", opt.maxSpec, syms);
    for (size_t i = 0; i < lists.size(); ++i) {
      if (lists[i].size() != 1)
        usageError("--max: one value per dimension");
      maxSize[i] = lists[i][0];
    }
  } else {
    for (const Shape &s : inRange)
      for (size_t i = 0; i < s.size(); ++i)
        maxSize[i] = std::max(maxSize[i], s[i]);
    if (!outRange.empty())
      for (size_t i = 0; i < maxSize.size(); ++i)
        if (maxSize[i] < 0)
          usageError("give --max (no in-range value for '%s')",
                     syms.names[i].c_str());
  }

  void *refHandle = nullptr, *testHandle = nullptr;
  void *refFn = loadEntry(opt.refPath, opt.func, &refHandle);
  void *testFn = loadEntry(opt.testPath, opt.func, &testHandle);

  int passed = 0, failed = 0;
  Stats stats;
  bucket_take_out_of_range(nullptr); // start with a clean record

  for (const Shape &shape : inRange) {
    std::string where = shapeText(shape, syms);
    std::vector<Tensor> inputs;
    for (size_t a = 0; a < args.size(); ++a)
      inputs.push_back(makeInput(args[a], shape, opt.seed, a));

    if (opt.dumpInputs)
      dumpInputs(args, inputs, where);

    std::string problem, note;
    CallResults refOut, testOut;
    // The reference may write its arguments (one-shot bufferization treats
    // function arguments as writable); the bucketed dispatcher must not (the
    // runtime API promises that arguments are only read).
    if (!invoke(refFn, results, inputs, refOut, note) && opt.verbose)
      std::printf("note %s [%s]: reference: %s\n", opt.func.c_str(),
                  where.c_str(), note.c_str());
    bucket_out_of_range_t rec;
    if (problem.empty() && bucket_take_out_of_range(&rec))
      problem = "the reference reported out of range";
    if (problem.empty() &&
        !invoke(testFn, results, inputs, testOut, note, states))
      problem = note;
    if (problem.empty() && bucket_take_out_of_range(&rec)) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "reported out of range (dim %" PRId64 ", value %" PRId64
                    ", max %" PRId64 ") for an in-range shape",
                    rec.dim, rec.value, rec.max_size);
      problem = buf;
    }
    for (size_t r = 0; problem.empty() && r < results.size(); ++r) {
      std::string msg =
          checkDeclaredShape(results[r], refOut.views[r], shape, false);
      if (!msg.empty()) {
        problem = "reference result " + std::to_string(r) + ": " + msg;
        break;
      }
      msg = compareResult(results[r], refOut.views[r], testOut.views[r], opt,
                          stats, "[" + where + "] result " + std::to_string(r));
      if (!msg.empty())
        problem = "result " + std::to_string(r) + ": " + msg;
    }
    if (problem.empty()) {
      ++passed;
      if (opt.verbose)
        std::printf("ok %s [%s]\n", opt.func.c_str(), where.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s [%s]: %s\n", opt.func.c_str(), where.c_str(),
                  problem.c_str());
    }
    std::fflush(stdout);
  }

  for (const Shape &shape : outRange) {
    std::string where = shapeText(shape, syms);
    std::vector<Tensor> inputs;
    for (size_t a = 0; a < args.size(); ++a)
      inputs.push_back(makeInput(args[a], shape, opt.seed, a));
    // Expected record: the first dimension above its largest bucket size, or
    // -1 if each fits some bucket but no bucket fits all of them.
    int64_t wantDim = -1, wantValue = 0, wantMax = 0;
    for (size_t i = 0; i < shape.size(); ++i)
      if (shape[i] > maxSize[i]) {
        wantDim = (int64_t)i;
        wantValue = shape[i];
        wantMax = maxSize[i];
        break;
      }

    std::string problem, note;
    CallResults testOut;
    bucket_take_out_of_range(nullptr);
    if (!invoke(testFn, results, inputs, testOut, note, states))
      problem = note;
    // Out of range, a state is returned as it came.
    for (auto [a, r] : states)
      if (problem.empty() && testOut.args[a].bytes != inputs[a].bytes)
        problem = "state argument " + std::to_string(a) +
                  " was modified by an out-of-range call";
    bucket_out_of_range_t rec;
    if (problem.empty()) {
      if (!bucket_take_out_of_range(&rec)) {
        problem = "no out-of-range report";
      } else if (rec.dim != wantDim ||
                 (wantDim >= 0 &&
                  (rec.value != wantValue || rec.max_size != wantMax))) {
        char buf[200];
        std::snprintf(
            buf, sizeof buf,
            "reported dim %" PRId64 " value %" PRId64 " max %" PRId64
            ", expected dim %" PRId64 " value %" PRId64 " max %" PRId64,
            rec.dim, rec.value, rec.max_size, wantDim, wantValue, wantMax);
        problem = buf;
        if (wantDim < 0)
          problem = problem.substr(0, problem.find(", expected")) +
                    ", expected dim -1 (no single bucket fits)";
      }
    }
    for (size_t r = 0; problem.empty() && r < results.size(); ++r) {
      std::string msg =
          checkDeclaredShape(results[r], testOut.views[r], shape, true);
      if (!msg.empty())
        problem = "out-of-range result " + std::to_string(r) + ": " + msg;
    }
    if (problem.empty()) {
      ++passed;
      if (opt.verbose)
        std::printf("ok %s [%s] out of range (dim %" PRId64 ")\n",
                    opt.func.c_str(), where.c_str(), rec.dim);
    } else {
      ++failed;
      std::printf("FAIL %s [%s] (out of range): %s\n", opt.func.c_str(),
                  where.c_str(), problem.c_str());
    }
    std::fflush(stdout);
  }

  std::printf("stats: %" PRId64 " elements compared, max abs diff %.3g%s%s, "
              "max rel diff %.3g\n",
              stats.elements, stats.maxAbs,
              stats.maxAbsWhere.empty() ? "" : " at ",
              stats.maxAbsWhere.c_str(), stats.maxRel);
  std::printf("compare: %d passed, %d failed\n", passed, failed);
  dlclose(testHandle);
  dlclose(refHandle);
  return (failed || passed == 0) ? 1 : 0;
}
