//===- SymExpr.h - Integer polynomials over symbolic sizes ----*- C++ -*-===//
//
// The importer's symbolic shape values: a size or a shape element is a
// polynomial with integer coefficients over symbols (named dimensions, or
// opaque sizes such as the output width of a strided convolution). Products
// such as `batch*seq` and `4*batch` stay exact, so that a reshape can be
// matched dimension group by dimension group. Used by the importer, whose
// translation unit has exceptions enabled: a coefficient that overflows 64
// bits throws SymExprOverflow, which the importer turns into an error at the
// node (a model can hold any constant).
//
//===----------------------------------------------------------------------===//

#ifndef BUCKET_ONNX_SYMEXPR_H
#define BUCKET_ONNX_SYMEXPR_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlir {
namespace bucket {
namespace onnx_import {

/// A coefficient of a symbolic shape value overflowed 64 bits.
struct SymExprOverflow : std::overflow_error {
  SymExprOverflow() : std::overflow_error("symbolic size overflow") {}
};

class SymExpr {
public:
  /// A monomial: sorted symbol ids (a symbol repeats for a power).
  using Monomial = std::vector<unsigned>;

  SymExpr() = default;
  static SymExpr constant(int64_t value) {
    SymExpr e;
    if (value != 0)
      e.terms[{}] = value;
    return e;
  }
  static SymExpr symbol(unsigned id) {
    SymExpr e;
    e.terms[{id}] = 1;
    return e;
  }

  std::optional<int64_t> getConstant() const {
    if (terms.empty())
      return 0;
    if (terms.size() == 1 && terms.begin()->first.empty())
      return terms.begin()->second;
    return std::nullopt;
  }
  bool isConstant(int64_t value) const { return getConstant() == value; }

  SymExpr operator+(const SymExpr &other) const {
    SymExpr result = *this;
    for (const auto &[mono, coeff] : other.terms)
      result.add(mono, coeff);
    return result;
  }
  SymExpr operator-(const SymExpr &other) const {
    return *this + other * constant(-1);
  }
  SymExpr operator*(const SymExpr &other) const {
    SymExpr result;
    for (const auto &[m1, c1] : terms)
      for (const auto &[m2, c2] : other.terms) {
        Monomial mono = m1;
        mono.insert(mono.end(), m2.begin(), m2.end());
        llvm::sort(mono);
        int64_t product;
        if (__builtin_mul_overflow(c1, c2, &product))
          throw SymExprOverflow();
        result.add(mono, product);
      }
    return result;
  }
  bool operator==(const SymExpr &other) const { return terms == other.terms; }
  bool operator!=(const SymExpr &other) const { return !(*this == other); }

  /// The exact quotient by `divisor` when `divisor` is a nonzero constant
  /// that divides every coefficient, or a single monomial (with its
  /// coefficient) that divides every term.
  std::optional<SymExpr> divExact(const SymExpr &divisor) const {
    if (divisor.terms.size() != 1)
      return std::nullopt;
    const auto &[dmono, dcoeff] = *divisor.terms.begin();
    SymExpr result;
    for (const auto &[mono, coeff] : terms) {
      if (dcoeff == -1 && coeff == INT64_MIN)
        throw SymExprOverflow();
      if (coeff % dcoeff != 0)
        return std::nullopt;
      Monomial rest = mono;
      for (unsigned sym : dmono) {
        auto it = llvm::find(rest, sym);
        if (it == rest.end())
          return std::nullopt;
        rest.erase(it);
      }
      result.add(rest, coeff / dcoeff);
    }
    return result;
  }

  /// Whether every coefficient is positive and there is a symbol: then the
  /// value is at least 1 (symbols are sizes, at least 1).
  bool isPositiveSymbolic() const {
    if (getConstant())
      return false;
    return llvm::all_of(terms, [](const auto &t) { return t.second > 0; });
  }

  const std::map<Monomial, int64_t> &getTerms() const { return terms; }

  /// A printable key, also used to cache materializations.
  std::string key() const {
    std::string s;
    for (const auto &[mono, coeff] : terms) {
      s += std::to_string(coeff);
      for (unsigned sym : mono)
        s += "*s" + std::to_string(sym);
      s += "+";
    }
    return s.empty() ? "0" : s;
  }

private:
  void add(const Monomial &mono, int64_t coeff) {
    int64_t &c = terms[mono];
    if (__builtin_add_overflow(c, coeff, &c))
      throw SymExprOverflow();
    if (c == 0)
      terms.erase(mono);
  }
  std::map<Monomial, int64_t> terms;
};

using SymShape = llvm::SmallVector<SymExpr, 4>;

} // namespace onnx_import
} // namespace bucket
} // namespace mlir

#endif // BUCKET_ONNX_SYMEXPR_H
