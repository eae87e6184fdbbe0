# Calls the compiled model's C interface (_mlir_ciface_<func>) through ctypes
# on the inputs export_models.py wrote, and compares every output with
# PyTorch's: |out - ref| <= atol + rtol * |ref|. Prints one line per shape
# and 'compare: P passed, F failed'; exits 1 if anything failed.
#
#   compare_outputs.py LIB.so FUNC DATADIR/MODEL-OPSET [--atol A] [--rtol R]
import ctypes
import sys

import numpy as np

DTYPES = {"f32": np.float32, "i64": np.int64}


def descriptor_type(rank):
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type("MemRef%d" % rank, (ctypes.Structure,), {"_fields_": fields})


def make_descriptor(array):
    desc = descriptor_type(array.ndim)()
    desc.allocated = desc.aligned = array.ctypes.data
    desc.offset = 0
    for d in range(array.ndim):
        desc.sizes[d] = array.shape[d]
        desc.strides[d] = array.strides[d] // array.itemsize
    return desc


def parse(spec):
    dtype, dims = spec.split(":")
    return DTYPES[dtype], tuple(int(d) for d in dims.split("x"))


def main():
    lib, func, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    atol = float(args[args.index("--atol") + 1]) if "--atol" in args else 1e-5
    rtol = float(args[args.index("--rtol") + 1]) if "--rtol" in args else 1e-4
    so = ctypes.CDLL(lib)
    fn = getattr(so, "_mlir_ciface_" + func)
    passed = failed = 0
    worst = 0.0
    for line in open(prefix + ".txt"):
        tag, rest = line.split(" ", 1)
        ins, out = rest.split("->")
        inputs = []
        for i, spec in enumerate(ins.split()):
            dtype, shape = parse(spec)
            data = np.fromfile("%s.%s.in%d.bin" % (prefix, tag, i), dtype=dtype)
            inputs.append(np.ascontiguousarray(data.reshape(shape)))
        dtype, shape = parse(out.strip())
        ref = np.fromfile("%s.%s.out0.bin" % (prefix, tag), dtype=dtype).reshape(shape)
        result = descriptor_type(len(shape))()
        descs = [make_descriptor(a) for a in inputs]
        fn(ctypes.byref(result), *[ctypes.byref(d) for d in descs])
        got_shape = tuple(result.sizes[d] for d in range(len(shape)))
        if got_shape != shape:
            print("FAIL %s: shape %s, expected %s" % (tag, got_shape, shape))
            failed += 1
            continue
        count = int(np.prod(shape))
        buf = (ctypes.c_float * count).from_address(result.aligned + 4 * result.offset)
        got = np.frombuffer(buf, dtype=np.float32).reshape(shape)
        diff = np.abs(got - ref)
        worst = max(worst, float(diff.max()) if count else 0.0)
        if np.all(diff <= atol + rtol * np.abs(ref)):
            print("ok %s" % tag)
            passed += 1
        else:
            print("FAIL %s: max difference %g" % (tag, float(diff.max())))
            failed += 1
    print("stats: max abs difference %g" % worst)
    print("compare: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
