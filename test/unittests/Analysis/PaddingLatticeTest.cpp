//===- PaddingLatticeTest.cpp - The padding analysis' lattice -------------===//
//
// The join, the neutral elements of the combiners and the scalar transfer
// function, on scalar ops built in a small module. The analysis as a whole is
// tested through `bucket-opt --test-bucket-padding` (test/Analysis).
//
//===----------------------------------------------------------------------===//

#include "bucket/Analysis/PaddingLattice.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "gtest/gtest.h"

#include <limits>
#include <ostream>

using namespace mlir;
using namespace mlir::bucket::padding;

namespace mlir::bucket::padding {
/// Prints abstract values in failed expectations.
void PrintTo(const Abstract &a, std::ostream *os) {
  *os << a.describe() << " (kind " << int(a.kind) << ", args " << a.args
      << (a.fromMask ? ", from a mask" : "") << ")";
}
} // namespace mlir::bucket::padding

namespace {

class PaddingLatticeTest : public ::testing::Test {
protected:
  PaddingLatticeTest() : builder(&context) {
    context.loadDialect<arith::ArithDialect, func::FuncDialect,
                        math::MathDialect>();
    loc = builder.getUnknownLoc();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToStart(module->getBody());
    // The operands of the ops under test: the transfer function only looks
    // at their abstract values, so block arguments do.
    auto type = builder.getFunctionType(
        {f32(), f32(), i32(), i32(), builder.getIndexType(),
         builder.getIndexType(), builder.getI1Type()},
        {});
    auto func = func::FuncOp::create(builder, loc, "f", type);
    Block *entry = func.addEntryBlock();
    x = entry->getArgument(0);
    y = entry->getArgument(1);
    m = entry->getArgument(2);
    n = entry->getArgument(3);
    i = entry->getArgument(4);
    j = entry->getArgument(5);
    cond = entry->getArgument(6);
    builder.setInsertionPointToStart(entry);
  }

  Type f32() { return builder.getF32Type(); }
  Type i32() { return builder.getI32Type(); }

  /// What an index comparison `l <predicate> r` gives: a known boolean, or
  /// nullopt.
  std::optional<bool> compare(arith::CmpIPredicate predicate, const Abstract &l,
                              const Abstract &r) {
    Operation *cmp = arith::CmpIOp::create(builder, loc, predicate, i, j);
    Abstract result = transfer(cmp, {l, r});
    if (!result.isConst())
      return std::nullopt;
    return cast<IntegerAttr>(result.value).getValue().isOne();
  }

  /// An f32 constant, derived from the padding of `args`.
  Abstract cst(double v, uint64_t args = 0) {
    return Abstract::constant(builder.getF32FloatAttr(v), false, args);
  }
  /// An i32 constant.
  Abstract icst(int64_t v) {
    return Abstract::constant(builder.getI32IntegerAttr(v), false, 0);
  }
  /// +inf or -inf.
  Abstract inf(bool negative, uint64_t args = 0) {
    return Abstract::constant(
        FloatAttr::get(f32(), APFloat::getInf(APFloat::IEEEsingle(), negative)),
        false, args);
  }
  /// An f32 constant derived from the padding of a declared mask.
  Abstract maskCst(double v) {
    return Abstract::constant(builder.getF32FloatAttr(v), true, 1);
  }
  static Abstract get(Abstract::Kind kind, uint64_t args = 0) {
    return Abstract::get(kind, args);
  }

  /// Whether `a` is the f32 constant `v` (either zero for 0).
  static bool isF32(const Abstract &a, double v) {
    std::optional<APFloat> f = a.getFloat();
    return a.isConst() && f && f->convertToDouble() == v;
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc = UnknownLoc();
  OwningOpRef<ModuleOp> module;
  /// f32, f32, i32, i32, index, index and i1 placeholders.
  Value x, y, m, n, i, j, cond;
};

//===----------------------------------------------------------------------===//
// join
//===----------------------------------------------------------------------===//

TEST_F(PaddingLatticeTest, JoinIsCommutative) {
  SmallVector<Abstract> values = {
      cst(0.0, 1),
      cst(1.0, 2),
      inf(/*negative=*/true, 4),
      inf(/*negative=*/false),
      get(Abstract::Finite, 8),
      get(Abstract::MaskedNegInf, 1),
      get(Abstract::Acc),
      Abstract::index(Abstract::PadIndex, 0),
      Abstract::index(Abstract::RealIndex, 0),
      get(Abstract::Unknown, 2),
  };
  for (const Abstract &a : values) {
    for (const Abstract &b : values) {
      Abstract ab = join(a, b), ba = join(b, a);
      EXPECT_EQ(ab, ba) << a.describe() << " and " << b.describe();
      EXPECT_EQ(ab.args, a.args | b.args);
      EXPECT_EQ(ba.args, a.args | b.args);
    }
  }
}

TEST_F(PaddingLatticeTest, JoinUnknownAbsorbs) {
  for (const Abstract &a :
       {cst(0.0), inf(true), get(Abstract::Finite), get(Abstract::MaskedNegInf),
        get(Abstract::Acc), Abstract::index(Abstract::PadIndex, 0),
        get(Abstract::Unknown)}) {
    EXPECT_EQ(join(get(Abstract::Unknown), a).kind, Abstract::Unknown)
        << a.describe();
    EXPECT_EQ(join(a, get(Abstract::Unknown)).kind, Abstract::Unknown)
        << a.describe();
  }
  // The accumulator is only itself: joined with anything else, it is lost.
  EXPECT_EQ(join(get(Abstract::Acc), get(Abstract::Finite)).kind,
            Abstract::Unknown);
  EXPECT_EQ(join(get(Abstract::Acc), get(Abstract::Acc)).kind, Abstract::Acc);
}

TEST_F(PaddingLatticeTest, JoinEqualConstants) {
  Abstract joined = join(cst(0.0, 1), cst(0.0, 2));
  EXPECT_TRUE(isF32(joined, 0.0));
  EXPECT_EQ(joined.args, 3u);
  // Different finite values: some finite value.
  EXPECT_EQ(join(cst(0.0), cst(1.0)).kind, Abstract::Finite);
  EXPECT_EQ(join(cst(0.0), get(Abstract::Finite)).kind, Abstract::Finite);
  // A finite value or -inf: anything.
  EXPECT_EQ(join(cst(0.0), inf(true)).kind, Abstract::Unknown);
  EXPECT_EQ(join(inf(true), inf(false)).kind, Abstract::Unknown);
  // A masked score acts as -inf, and is finite.
  EXPECT_EQ(join(get(Abstract::MaskedNegInf), inf(true)).kind,
            Abstract::MaskedNegInf);
  EXPECT_EQ(join(get(Abstract::MaskedNegInf), get(Abstract::Finite)).kind,
            Abstract::Finite);
  // Indices are finite; indices of different classes are not equal.
  EXPECT_EQ(join(Abstract::index(Abstract::PadIndex, 0),
                 Abstract::index(Abstract::PadIndex, 1))
                .kind,
            Abstract::Finite);
}

//===----------------------------------------------------------------------===//
// Neutral elements
//===----------------------------------------------------------------------===//

TEST_F(PaddingLatticeTest, NeutralElementsOfFloatCombiners) {
  Operation *addf = arith::AddFOp::create(builder, loc, x, y);
  Operation *mulf = arith::MulFOp::create(builder, loc, x, y);
  Operation *maxf = arith::MaximumFOp::create(builder, loc, x, y);
  Operation *maxnumf = arith::MaxNumFOp::create(builder, loc, x, y);
  Operation *minf = arith::MinimumFOp::create(builder, loc, x, y);
  Operation *divf = arith::DivFOp::create(builder, loc, x, y);

  EXPECT_EQ(getNeutral(addf, f32()), builder.getF32FloatAttr(0.0));
  EXPECT_EQ(getNeutral(mulf, f32()), builder.getF32FloatAttr(1.0));
  EXPECT_EQ(getNeutral(maxf, f32()), inf(true).value);
  EXPECT_EQ(getNeutral(maxnumf, f32()), inf(true).value);
  EXPECT_EQ(getNeutral(minf, f32()), inf(false).value);
  EXPECT_FALSE(getNeutral(divf, f32()));

  // Both zeros are neutral for a sum.
  EXPECT_TRUE(isNeutral(addf, cst(0.0)));
  EXPECT_TRUE(isNeutral(addf, cst(-0.0)));
  EXPECT_FALSE(isNeutral(addf, cst(1.0)));
  EXPECT_FALSE(isNeutral(addf, get(Abstract::Finite)));
  EXPECT_TRUE(isNeutral(mulf, cst(1.0)));
  EXPECT_FALSE(isNeutral(mulf, cst(0.0)));
  EXPECT_TRUE(isNeutral(maxf, inf(true)));
  EXPECT_FALSE(isNeutral(maxf, inf(false)));
  EXPECT_TRUE(isNeutral(minf, inf(false)));
  EXPECT_FALSE(isNeutral(minf, inf(true)));
  EXPECT_FALSE(isNeutral(divf, cst(1.0)));
  // A masked score counts as -inf for a max only.
  EXPECT_TRUE(isNeutral(maxf, get(Abstract::MaskedNegInf)));
  EXPECT_TRUE(isNeutral(maxf, maskCst(-1.0e4)));
  EXPECT_FALSE(isNeutral(addf, get(Abstract::MaskedNegInf)));
  EXPECT_FALSE(isNeutral(minf, maskCst(-1.0e4)));
}

TEST_F(PaddingLatticeTest, NeutralElementsOfIntegerCombiners) {
  Operation *addi = arith::AddIOp::create(builder, loc, m, n);
  Operation *muli = arith::MulIOp::create(builder, loc, m, n);
  Operation *maxsi = arith::MaxSIOp::create(builder, loc, m, n);
  Operation *minsi = arith::MinSIOp::create(builder, loc, m, n);
  Operation *andi = arith::AndIOp::create(builder, loc, m, n);

  EXPECT_EQ(getNeutral(addi, i32()), builder.getI32IntegerAttr(0));
  EXPECT_EQ(getNeutral(muli, i32()), builder.getI32IntegerAttr(1));
  EXPECT_EQ(getNeutral(maxsi, i32()),
            builder.getI32IntegerAttr(std::numeric_limits<int32_t>::min()));
  EXPECT_EQ(getNeutral(minsi, i32()),
            builder.getI32IntegerAttr(std::numeric_limits<int32_t>::max()));
  EXPECT_EQ(getNeutral(andi, i32()), builder.getI32IntegerAttr(-1));
  // A float combiner has no integer neutral element, and the reverse.
  EXPECT_FALSE(getNeutral(addi, f32()));

  EXPECT_TRUE(isNeutral(addi, icst(0)));
  EXPECT_FALSE(isNeutral(addi, icst(1)));
  EXPECT_TRUE(isNeutral(maxsi, icst(std::numeric_limits<int32_t>::min())));
  EXPECT_FALSE(isNeutral(maxsi, icst(0)));
  EXPECT_TRUE(isNeutral(minsi, icst(std::numeric_limits<int32_t>::max())));
}

TEST_F(PaddingLatticeTest, CombinerKeepsAccumulatorWithNeutralElement) {
  Abstract acc = get(Abstract::Acc);
  Operation *addf = arith::AddFOp::create(builder, loc, x, y);
  EXPECT_EQ(transfer(addf, {acc, cst(0.0)}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(addf, {cst(0.0), acc}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(addf, {acc, cst(1.0)}).kind, Abstract::Unknown);
  EXPECT_EQ(transfer(addf, {acc, get(Abstract::Finite)}).kind,
            Abstract::Unknown);

  Operation *maxf = arith::MaximumFOp::create(builder, loc, x, y);
  EXPECT_EQ(transfer(maxf, {acc, inf(true)}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(maxf, {get(Abstract::MaskedNegInf), acc}).kind,
            Abstract::Acc);
  EXPECT_EQ(transfer(maxf, {acc, cst(0.0)}).kind, Abstract::Unknown);

  Operation *minf = arith::MinimumFOp::create(builder, loc, x, y);
  EXPECT_EQ(transfer(minf, {acc, inf(false)}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(minf, {acc, inf(true)}).kind, Abstract::Unknown);

  Operation *addi = arith::AddIOp::create(builder, loc, m, n);
  EXPECT_EQ(transfer(addi, {acc, icst(0)}).kind, Abstract::Acc);
  Operation *maxsi = arith::MaxSIOp::create(builder, loc, m, n);
  EXPECT_EQ(
      transfer(maxsi, {icst(std::numeric_limits<int32_t>::min()), acc}).kind,
      Abstract::Acc);
  Operation *minsi = arith::MinSIOp::create(builder, loc, m, n);
  EXPECT_EQ(transfer(minsi, {acc, icst(0)}).kind, Abstract::Unknown);
}

TEST_F(PaddingLatticeTest, SubtractionKeepsAccumulatorOnSubtractedSideOnly) {
  Abstract acc = get(Abstract::Acc);
  Operation *subf = arith::SubFOp::create(builder, loc, x, y);
  EXPECT_EQ(getNeutral(subf, f32()), builder.getF32FloatAttr(0.0));
  // acc - 0 keeps the accumulator; 0 - acc negates it.
  EXPECT_EQ(transfer(subf, {acc, cst(0.0)}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(subf, {cst(0.0), acc}).kind, Abstract::Unknown);

  Operation *subi = arith::SubIOp::create(builder, loc, m, n);
  EXPECT_EQ(transfer(subi, {acc, icst(0)}).kind, Abstract::Acc);
  EXPECT_EQ(transfer(subi, {icst(0), acc}).kind, Abstract::Unknown);
}

//===----------------------------------------------------------------------===//
// transfer
//===----------------------------------------------------------------------===//

TEST_F(PaddingLatticeTest, TransferAddF) {
  Operation *addf = arith::AddFOp::create(builder, loc, x, y);
  // Constants fold exactly, and remember every argument they come from.
  Abstract sum = transfer(addf, {cst(1.0, 1), cst(2.0, 2)});
  EXPECT_TRUE(isF32(sum, 3.0));
  EXPECT_EQ(sum.args, 3u);
  EXPECT_EQ(transfer(addf, {get(Abstract::Finite), cst(1.0)}).kind,
            Abstract::Finite);
  // -inf plus a finite value stays -inf, on either side.
  Abstract negInf = transfer(addf, {inf(true, 1), get(Abstract::Finite, 2)});
  EXPECT_TRUE(negInf.isNegInf());
  EXPECT_EQ(negInf.args, 3u);
  EXPECT_TRUE(transfer(addf, {get(Abstract::Finite), inf(true)}).isNegInf());
  // Anything may be +inf, and -inf + inf is NaN.
  EXPECT_EQ(transfer(addf, {inf(true), get(Abstract::Unknown)}).kind,
            Abstract::Unknown);
  EXPECT_EQ(
      transfer(addf, {get(Abstract::Finite), get(Abstract::Unknown)}).kind,
      Abstract::Unknown);
}

TEST_F(PaddingLatticeTest, TransferSubF) {
  Operation *subf = arith::SubFOp::create(builder, loc, x, y);
  EXPECT_TRUE(transfer(subf, {inf(true), get(Abstract::Finite)}).isNegInf());
  // A finite value minus +inf is -inf; minus -inf it is +inf, which the
  // lattice only knows as a value that may be anything.
  EXPECT_EQ(transfer(subf, {get(Abstract::Finite), inf(true)}).kind,
            Abstract::Unknown);
  EXPECT_TRUE(transfer(subf, {get(Abstract::Finite), inf(false)}).isNegInf());
  // Folds to its left operand when subtracting zero.
  EXPECT_TRUE(isF32(transfer(subf, {cst(5.0), cst(0.0)}), 5.0));
}

TEST_F(PaddingLatticeTest, TransferMulF) {
  Operation *mulf = arith::MulFOp::create(builder, loc, x, y);
  // Zero times a finite value is zero, on either side; unknown values are
  // assumed finite, but inf is not.
  EXPECT_TRUE(isF32(transfer(mulf, {cst(0.0), get(Abstract::Finite)}), 0.0));
  EXPECT_TRUE(isF32(transfer(mulf, {get(Abstract::Finite), cst(0.0)}), 0.0));
  EXPECT_TRUE(
      isF32(transfer(mulf, {cst(0.0), get(Abstract::MaskedNegInf)}), 0.0));
  EXPECT_EQ(transfer(mulf, {cst(0.0), get(Abstract::Unknown)}).kind,
            Abstract::Unknown);
  EXPECT_EQ(transfer(mulf, {get(Abstract::Finite), inf(true)}).kind,
            Abstract::Unknown);
  EXPECT_EQ(transfer(mulf, {get(Abstract::Finite), cst(3.0)}).kind,
            Abstract::Finite);
  // A masked score scaled by a positive constant stays masked.
  EXPECT_EQ(transfer(mulf, {get(Abstract::MaskedNegInf), cst(0.125)}).kind,
            Abstract::MaskedNegInf);
  EXPECT_EQ(transfer(mulf, {cst(0.125), get(Abstract::MaskedNegInf)}).kind,
            Abstract::MaskedNegInf);
  // Negated, it is no longer known to be below anything.
  EXPECT_EQ(transfer(mulf, {get(Abstract::MaskedNegInf), cst(-1.0)}).kind,
            Abstract::Unknown);

  Operation *divf = arith::DivFOp::create(builder, loc, x, y);
  EXPECT_TRUE(isF32(transfer(divf, {cst(0.0), get(Abstract::Finite)}), 0.0));
  // Divisors are assumed non-zero: x / 0 is some finite value, not zero.
  EXPECT_EQ(transfer(divf, {get(Abstract::Finite), cst(0.0)}).kind,
            Abstract::Finite);
}

TEST_F(PaddingLatticeTest, TransferExp) {
  Operation *exp = math::ExpOp::create(builder, loc, x);
  Abstract masked = transfer(exp, {get(Abstract::MaskedNegInf, 1)});
  EXPECT_TRUE(isF32(masked, 0.0));
  EXPECT_TRUE(masked.fromMask);
  EXPECT_EQ(masked.args, 1u);
  EXPECT_TRUE(isF32(transfer(exp, {inf(true)}), 0.0));
  EXPECT_EQ(transfer(exp, {get(Abstract::Finite)}).kind, Abstract::Finite);
  EXPECT_EQ(transfer(exp, {get(Abstract::Unknown)}).kind, Abstract::Unknown);
}

TEST_F(PaddingLatticeTest, TransferMaxF) {
  Operation *maxf = arith::MaximumFOp::create(builder, loc, x, y);
  // max(-inf, x) is x, even from a masked score.
  Abstract max = transfer(maxf, {inf(true, 1), get(Abstract::Finite, 2)});
  EXPECT_EQ(max.kind, Abstract::Finite);
  EXPECT_EQ(max.args, 3u);
  EXPECT_TRUE(
      isF32(transfer(maxf, {get(Abstract::MaskedNegInf), cst(2.0)}), 2.0));
  EXPECT_EQ(
      transfer(maxf, {get(Abstract::MaskedNegInf), get(Abstract::MaskedNegInf)})
          .kind,
      Abstract::MaskedNegInf);
  EXPECT_EQ(transfer(maxf, {inf(true), get(Abstract::Unknown)}).kind,
            Abstract::Unknown);
}

TEST_F(PaddingLatticeTest, TransferSelect) {
  Operation *select = arith::SelectOp::create(builder, loc, cond, x, y);
  Abstract isTrue =
      Abstract::constant(builder.getBoolAttr(true), false, /*args=*/4);
  Abstract chosen = transfer(select, {isTrue, cst(1.0, 1), cst(2.0, 2)});
  EXPECT_TRUE(isF32(chosen, 1.0));
  EXPECT_EQ(chosen.args, 7u);
  Abstract isFalse = Abstract::constant(builder.getBoolAttr(false), false, 0);
  EXPECT_TRUE(isF32(
      transfer(select, {isFalse, get(Abstract::Unknown), cst(2.0)}), 2.0));
  // An unknown condition joins both sides.
  EXPECT_TRUE(isF32(
      transfer(select, {get(Abstract::Finite), cst(2.0), cst(2.0)}), 2.0));
  EXPECT_EQ(transfer(select, {get(Abstract::Finite), cst(1.0), cst(2.0)}).kind,
            Abstract::Finite);
  EXPECT_EQ(transfer(select, {get(Abstract::Finite), cst(1.0), inf(true)}).kind,
            Abstract::Unknown);
}

TEST_F(PaddingLatticeTest, TransferCmpIOnIndices) {
  Abstract pad = Abstract::index(Abstract::PadIndex, 0);
  Abstract real = Abstract::index(Abstract::RealIndex, 0);
  // Padded positions come after every real one.
  EXPECT_EQ(compare(arith::CmpIPredicate::slt, real, pad), true);
  EXPECT_EQ(compare(arith::CmpIPredicate::slt, pad, real), false);
  EXPECT_EQ(compare(arith::CmpIPredicate::ule, real, pad), true);
  EXPECT_EQ(compare(arith::CmpIPredicate::sge, pad, real), true);
  EXPECT_EQ(compare(arith::CmpIPredicate::ugt, real, pad), false);
  EXPECT_EQ(compare(arith::CmpIPredicate::eq, pad, real), false);
  EXPECT_EQ(compare(arith::CmpIPredicate::ne, real, pad), true);
  // Two padded indices, or indices of different classes: not known.
  EXPECT_FALSE(compare(arith::CmpIPredicate::slt, pad, pad).has_value());
  EXPECT_FALSE(compare(arith::CmpIPredicate::slt, real,
                       Abstract::index(Abstract::PadIndex, 1))
                   .has_value());

  // Index casts keep an index an index.
  Operation *indexCast =
      arith::IndexCastOp::create(builder, loc, builder.getI64Type(), i);
  EXPECT_EQ(transfer(indexCast, {pad}), pad);
}

TEST_F(PaddingLatticeTest, TransferCmpIWithRealSize) {
  using P = arith::CmpIPredicate;
  Abstract size = Abstract::index(Abstract::RealSize, 0);
  Abstract pad = Abstract::index(Abstract::PadIndex, 0);
  Abstract real = Abstract::index(Abstract::RealIndex, 0);
  // A mask `index < real size`: off in the padded range, on in the real one.
  EXPECT_EQ(compare(P::ult, pad, size), false);
  EXPECT_EQ(compare(P::ult, real, size), true);
  EXPECT_EQ(compare(P::ugt, size, pad), false);
  EXPECT_EQ(compare(P::sge, pad, size), true);
  // The first padded index equals the real size: <= and == are not known.
  EXPECT_FALSE(compare(P::ule, pad, size).has_value());
  EXPECT_FALSE(compare(P::eq, pad, size).has_value());
  EXPECT_EQ(compare(P::eq, real, size), false);
  // Padding that starts 2 past the real size (after a tensor.pad) is past
  // the real size plus 2, but a real index there may be at or past the real
  // size: not known.
  Abstract pad2 = Abstract::index(Abstract::PadIndex, 0, 2);
  Abstract real2 = Abstract::index(Abstract::RealIndex, 0, 2);
  Abstract size2 = Abstract::index(Abstract::RealSize, 0, 2);
  EXPECT_EQ(compare(P::ult, pad2, size2), false);
  EXPECT_EQ(compare(P::ult, pad2, size), false);
  EXPECT_EQ(compare(P::ult, real2, size2), true);
  EXPECT_FALSE(compare(P::ult, real2, size).has_value());
  EXPECT_FALSE(compare(P::ult, pad, size2).has_value());
  // Other classes: not known.
  EXPECT_FALSE(
      compare(P::ult, pad, Abstract::index(Abstract::RealSize, 1)).has_value());
}

TEST_F(PaddingLatticeTest, TransferAndIWithFalse) {
  Value c = arith::ConstantOp::create(builder, loc, builder.getBoolAttr(true));
  Operation *andOp = arith::AndIOp::create(builder, loc, c, c);
  Abstract off = Abstract::constant(builder.getBoolAttr(false), false, 0);
  // A mask that is off makes the conjunction off, whatever the other side.
  EXPECT_EQ(transfer(andOp, {get(Abstract::Finite), off}), off);
  EXPECT_EQ(transfer(andOp, {off, get(Abstract::Unknown)}), off);
  EXPECT_NE(
      transfer(andOp, {get(Abstract::Finite), get(Abstract::Finite)}).kind,
      Abstract::Const);
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

TEST_F(PaddingLatticeTest, MaskConstantThreshold) {
  EXPECT_TRUE(isMaskConstant(maskCst(kMaskThreshold)));
  EXPECT_TRUE(isMaskConstant(maskCst(-1.0e4)));
  EXPECT_TRUE(isMaskConstant(maskCst(-1.0e9)));
  EXPECT_FALSE(isMaskConstant(maskCst(-1.0e2)));
  EXPECT_FALSE(isMaskConstant(maskCst(-9999.0)));
  // Only a mask's padding counts, and only finite constants.
  EXPECT_FALSE(isMaskConstant(cst(-1.0e4)));
  Abstract maskNegInf = inf(true);
  maskNegInf.fromMask = true;
  EXPECT_FALSE(isMaskConstant(maskNegInf));

  // `scores + (1 - mask) * -10000` at a padded key acts as -inf; with -100
  // it is only a negative number.
  Operation *addf = arith::AddFOp::create(builder, loc, x, y);
  EXPECT_EQ(transfer(addf, {maskCst(-1.0e4), get(Abstract::Finite)}).kind,
            Abstract::MaskedNegInf);
  EXPECT_EQ(transfer(addf, {get(Abstract::Finite), maskCst(-1.0e4)}).kind,
            Abstract::MaskedNegInf);
  EXPECT_EQ(transfer(addf, {maskCst(-1.0e2), get(Abstract::Finite)}).kind,
            Abstract::Finite);
  EXPECT_EQ(transfer(addf, {cst(-1.0e4), get(Abstract::Finite)}).kind,
            Abstract::Finite);
  // The mask's constants fold, and stay marked as the mask's.
  Operation *mulf = arith::MulFOp::create(builder, loc, x, y);
  Abstract scaled = transfer(mulf, {maskCst(1.0), cst(-1.0e4)});
  EXPECT_TRUE(isMaskConstant(scaled));
}

} // namespace
