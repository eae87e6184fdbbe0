"""Call models compiled by bucket from Python.

    import bucket
    m = bucket.load("libencoder.so")        # a self-describing model library
    print(m.functions["forward"].buckets)    # [(4,), (8,), ...]
    y = m.forward(tokens, mask)              # NumPy in, NumPy out

or, in one step, compile and load (the library is cached):

    m = bucket.compile("encoder.mlir", buckets="seq=64,128")

A model library is a shared library linked from objects bucket-compile
wrote, which export the model's table (`cc -shared model.o -lbucket_runtime`,
bucket_add_model(... SHARED) in CMake, or bucket.compile). Inputs are NumPy
arrays or anything with __dlpack__ or __array__ (PyTorch tensors included);
C-contiguous NumPy inputs are passed without a copy. Results are NumPy arrays
that own the runtime's storage, or PyTorch tensors (sharing it) when an
input was one. Errors raise BucketError subclasses carrying the runtime's
message. Calls release the GIL and may run concurrently; close() must not
race with a call.
"""

import ctypes
import os

import numpy as np

from . import _config, _runtime
from ._compile import CompileError, compile  # noqa: F401

__version__ = _config.VERSION

__all__ = ["load", "compile", "Model", "Function", "TensorSpec",
           "BucketError", "InvalidArgumentError", "OutOfRangeError",
           "IncompatibleError", "CompileError", "self_check_count"]


class BucketError(RuntimeError):
    """An error status from the runtime: `code` is its name
    ("OUT_OF_RANGE", ...), the message is the runtime's."""

    def __init__(self, message, code="INTERNAL"):
        super().__init__(message)
        self.code = code


class InvalidArgumentError(BucketError, ValueError):
    """Wrong number of inputs, rank, element type, static size, ..."""


class OutOfRangeError(BucketError, ValueError):
    """A shape larger than every bucket (and no policy takes it)."""


class IncompatibleError(BucketError):
    """A model compiled for another runtime ABI version."""


_ERRORS = {
    _runtime.STATUS_INVALID_ARGUMENT: InvalidArgumentError,
    _runtime.STATUS_OUT_OF_RANGE: OutOfRangeError,
    _runtime.STATUS_INCOMPATIBLE: IncompatibleError,
}


def _check(status):
    """Raises the BucketError for a non-NULL status, and frees it."""
    if not status:
        return
    lib = _runtime.lib()
    code = lib.bucket_status_code(status)
    message = lib.bucket_status_message(status).decode("utf-8", "replace")
    name = lib.bucket_status_code_name(code).decode()
    lib.bucket_status_free(status)
    raise _ERRORS.get(code, BucketError)(message, name)


def self_check_count():
    """Self-check differences reported in this process (models compiled
    with --self-check; 0 otherwise)."""
    return int(_runtime.lib().bucket_self_check_count())


# bucket_element_type_t <-> NumPy. bf16 has no NumPy type.
_DTYPES = {0: np.float32, 1: np.float64, 2: np.bool_, 3: np.int8,
           4: np.int16, 5: np.int32, 6: np.int64, 7: np.float16}
_ELEMENT_TYPES = {np.dtype(t): e for e, t in _DTYPES.items()}
_TYPE_NAMES = {0: "f32", 1: "f64", 2: "i1", 3: "i8", 4: "i16", 5: "i32",
               6: "i64", 7: "f16", 8: "bf16"}
_POLICIES = {0: "error", 1: "fallback", 2: "split", 3: "truncate"}


class TensorSpec:
    """One argument or result: `dtype` (a NumPy dtype; None for bf16),
    `type_name` ("f32", ...) and `shape`, a tuple of sizes with the symbolic
    dimension's name for a bucketed dimension and None for any other
    dynamic one."""

    def __init__(self, info, dim_names):
        self.type_name = _TYPE_NAMES.get(info.element_type, "?")
        dtype = _DTYPES.get(info.element_type)
        self.dtype = np.dtype(dtype) if dtype is not None else None
        shape = []
        for d in range(info.rank):
            if info.shape[d] >= 0:
                shape.append(int(info.shape[d]))
            elif 0 <= info.dim_ids[d] < len(dim_names):
                shape.append(dim_names[info.dim_ids[d]])
            else:
                shape.append(None)
        self.shape = tuple(shape)

    def __repr__(self):
        dims = ", ".join("?" if s is None else str(s) for s in self.shape)
        return f"TensorSpec({self.type_name}[{dims}])"


class _Result:
    """Owns a runtime-allocated result; NumPy views it through
    __array_interface__ and keeps this object alive as the array's base."""

    def __init__(self, tensor, dtype):
        self._tensor = tensor
        rank = tensor.rank
        self.__array_interface__ = {
            "version": 3,
            "shape": tuple(tensor.shape[i] for i in range(rank)),
            "strides": tuple(tensor.strides[i] * dtype.itemsize
                             for i in range(rank)),
            "typestr": dtype.str,
            "data": (tensor.data, False),
        }

    def __del__(self):
        _runtime.lib().bucket_tensor_release(ctypes.byref(self._tensor))


def _is_torch(x):
    return type(x).__module__.split(".")[0] == "torch"


def _to_numpy(x, dtype):
    """A NumPy view of `x` where possible (NumPy, DLPack, __array__). Python
    lists and scalars, which have no element type, take `dtype`."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple, int, float, bool)):
        return np.asarray(x, dtype=dtype)
    if _is_torch(x):
        x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        return x.numpy()  # Shares the tensor's memory, as DLPack would.
    if hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x)
        except (TypeError, RuntimeError, BufferError):
            pass  # Fall back on __array__, which copies if it must.
    return np.asarray(x)


class Function:
    """A compiled function of a model: its signature, symbolic dimensions,
    buckets and out-of-range policies. Call it with one array per argument;
    returns one array, or a tuple for several results."""

    def __init__(self, model, info):
        self._model = model  # Keeps the library loaded.
        self._info = info
        self.name = info.name.decode()
        self.dims = [info.dim_names[i].decode() for i in range(info.num_dims)]
        self.args = [TensorSpec(info.args[i], self.dims)
                     for i in range(info.num_args)]
        self.results = [TensorSpec(info.results[i], self.dims)
                        for i in range(info.num_results)]
        n = info.num_dims
        self.buckets = [tuple(int(info.buckets[b * n + d]) for d in range(n))
                        for b in range(info.num_buckets)] if n else []
        self.out_of_range = {
            dim: _POLICIES.get(info.out_of_range[d], "?")
            if info.out_of_range else "error"
            for d, dim in enumerate(self.dims)}

    def __repr__(self):
        return (f"<bucket.Function {self.name}{tuple(self.args)} -> "
                f"{tuple(self.results)}, dims={self.dims}, "
                f"{len(self.buckets)} buckets>")

    def select(self, *sizes, **named):
        """The index in `buckets` of the bucket the dispatcher runs for these
        symbolic dimension sizes (positional in `dims` order, or by name).
        Raises OutOfRangeError when none fits."""
        if named:
            if sizes:
                raise TypeError("select: give sizes by position or by name")
            missing = [d for d in self.dims if d not in named]
            if missing or len(named) != len(self.dims):
                raise TypeError(f"select: expected sizes for {self.dims}")
            sizes = [named[d] for d in self.dims]
        if len(sizes) != len(self.dims):
            raise TypeError(f"select: expected {len(self.dims)} sizes "
                            f"({self.dims}), got {len(sizes)}")
        dims = (ctypes.c_int64 * max(1, len(sizes)))(*sizes)
        out = ctypes.c_int32()
        _check(_runtime.lib().bucket_function_select(
            ctypes.byref(self._info), dims, ctypes.byref(out)))
        return out.value

    def __call__(self, *inputs):
        handle = self._model._require_open()
        info = self._info
        if len(inputs) != info.num_args:
            raise InvalidArgumentError(
                f"{self.name}: expects {info.num_args} arguments, got "
                f"{len(inputs)}", "INVALID_ARGUMENT")
        want_torch = any(_is_torch(x) for x in inputs)
        arrays, args = [], []
        for i, x in enumerate(inputs):
            a = _to_numpy(x, self.args[i].dtype)
            element_type = _ELEMENT_TYPES.get(a.dtype)
            if element_type is None:
                raise InvalidArgumentError(
                    f"{self.name}: argument {i} has dtype {a.dtype}, which the "
                    f"runtime does not know (expected {self.args[i].type_name})",
                    "INVALID_ARGUMENT")
            if a.ndim > _runtime.MAX_RANK:
                raise InvalidArgumentError(
                    f"{self.name}: argument {i} has rank {a.ndim}, above "
                    f"{_runtime.MAX_RANK}", "INVALID_ARGUMENT")
            if not a.flags.c_contiguous:
                a = np.ascontiguousarray(a)
            arrays.append(a)  # Alive until the call returns.
            t = _runtime.Tensor()
            t.data = a.ctypes.data
            t.element_type = element_type
            t.rank = a.ndim
            for d, size in enumerate(a.shape):
                t.shape[d] = size
            stride = 1
            for d in reversed(range(a.ndim)):
                t.strides[d] = stride
                stride *= a.shape[d]
            args.append(t)
        results = [_runtime.Tensor() for _ in range(info.num_results)]
        arg_ptrs = (ctypes.POINTER(_runtime.Tensor) * max(1, len(args)))(
            *[ctypes.pointer(t) for t in args])
        result_ptrs = (ctypes.POINTER(_runtime.Tensor) * max(1, len(results)))(
            *[ctypes.pointer(t) for t in results])
        _check(_runtime.lib().bucket_model_invoke(
            handle, info.name, len(args), arg_ptrs, len(results),
            result_ptrs))
        outs = [self._wrap(t) for t in results]
        if want_torch:
            import torch
            outs = [torch.from_numpy(o) for o in outs]
        if len(outs) == 1:
            return outs[0]
        return tuple(outs)

    @staticmethod
    def _wrap(tensor):
        dtype = np.dtype(_DTYPES.get(tensor.element_type, np.uint16))
        if not tensor.data:
            shape = tuple(tensor.shape[i] for i in range(tensor.rank))
            return np.zeros(shape, dtype)
        return np.asarray(_Result(tensor, dtype))


class Model:
    """A model library opened with bucket_model_open (or, given the model's
    name, bucket_model_open_named). Functions are in `functions` (by name)
    and are also attributes: `m.forward(x)`."""

    def __init__(self, path, name=None):
        self.path = os.fspath(path)
        lib = _runtime.lib()
        handle = ctypes.c_void_p()
        # A bare file name would make dlopen search the library path.
        path_arg = os.fsencode(self.path if os.sep in self.path else
                               os.path.join(os.curdir, self.path))
        if name is None:
            _check(lib.bucket_model_open(path_arg, ctypes.byref(handle)))
        else:
            _check(lib.bucket_model_open_named(path_arg, name.encode(),
                                               ctypes.byref(handle)))
        self._handle = handle
        self.name = lib.bucket_model_get_name(handle).decode()
        info = lib.bucket_model_get_info(handle).contents
        self.abi_version = int(info.abi_version)
        self.functions = {}
        for i in range(info.num_functions):
            fn = Function(self, info.functions[i])
            self.functions[fn.name] = fn

    def _require_open(self):
        if self._handle is None:
            raise ValueError(f"bucket model '{self.name}' is closed")
        return self._handle

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(
            f"bucket model has no function '{name}' (it has: "
            f"{', '.join(functions) or 'none'})")

    def __getitem__(self, name):
        return self.functions[name]

    def __dir__(self):
        return list(super().__dir__()) + list(self.__dict__.get("functions", {}))

    def __repr__(self):
        return (f"<bucket.Model {self.name} from {self.path}: "
                f"{', '.join(self.functions) or 'no functions'}>")

    def close(self):
        """Unloads the library. Arrays returned earlier stay valid."""
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            _runtime.lib().bucket_model_release(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


def load(path, name=None):
    """Opens the model library at `path`: a shared library linked from
    objects bucket-compile wrote (`cc -shared model.o -lbucket_runtime`,
    bucket_add_model(... SHARED), bucket.compile). `name` (--model-name)
    picks one model of a library linked from several; without it, the first
    one linked."""
    return Model(path, name)
