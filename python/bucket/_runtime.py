"""ctypes declarations of the bucket C runtime (runtime/include/bucket).

Mirrors bucket/runtime_abi.h for BUCKET_RUNTIME_ABI_VERSION 3 and the part of
bucket/runtime.h the package calls. Private to the package.
"""

import ctypes
import os

from . import _config

ABI_VERSION = 3
MAX_RANK = 8

# bucket_status_code_t
STATUS_INVALID_ARGUMENT = 1
STATUS_OUT_OF_RANGE = 2
STATUS_INCOMPATIBLE = 5


class ValueInfo(ctypes.Structure):
    _fields_ = [
        ("element_type", ctypes.c_int),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("dim_ids", ctypes.c_int32 * MAX_RANK),
    ]


class FunctionInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("num_args", ctypes.c_int32),
        ("args", ctypes.POINTER(ValueInfo)),
        ("num_results", ctypes.c_int32),
        ("results", ctypes.POINTER(ValueInfo)),
        ("num_dims", ctypes.c_int32),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
        ("num_buckets", ctypes.c_int32),
        ("buckets", ctypes.POINTER(ctypes.c_int64)),
        ("out_of_range", ctypes.POINTER(ctypes.c_int32)),
        ("tied_results", ctypes.POINTER(ctypes.c_int32)),
    ]


class ModelInfo(ctypes.Structure):
    _fields_ = [
        ("abi_version", ctypes.c_uint32),
        ("num_functions", ctypes.c_int32),
        ("functions", ctypes.POINTER(FunctionInfo)),
    ]


class Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("element_type", ctypes.c_int),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("strides", ctypes.c_int64 * MAX_RANK),
        ("allocation", ctypes.c_void_p),
    ]


_TensorPtrArray = ctypes.POINTER(ctypes.POINTER(Tensor))


def _declare(lib):
    c = ctypes
    status = c.c_void_p
    sigs = {
        "bucket_status_code": (c.c_int, [status]),
        "bucket_status_message": (c.c_char_p, [status]),
        "bucket_status_code_name": (c.c_char_p, [c.c_int]),
        "bucket_status_free": (None, [status]),
        "bucket_model_open": (status, [c.c_char_p, c.POINTER(c.c_void_p)]),
        "bucket_model_open_named": (status, [c.c_char_p, c.c_char_p,
                                             c.POINTER(c.c_void_p)]),
        "bucket_model_release": (None, [c.c_void_p]),
        "bucket_model_get_name": (c.c_char_p, [c.c_void_p]),
        "bucket_model_get_info": (c.POINTER(ModelInfo), [c.c_void_p]),
        "bucket_model_invoke": (status, [c.c_void_p, c.c_char_p, c.c_int32,
                                         _TensorPtrArray, c.c_int32,
                                         _TensorPtrArray]),
        "bucket_function_select": (status, [c.POINTER(FunctionInfo),
                                            c.POINTER(c.c_int64),
                                            c.POINTER(c.c_int32)]),
        "bucket_tensor_release": (None, [c.POINTER(Tensor)]),
        "bucket_self_check_count": (c.c_uint64, []),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def library_path():
    """The shared runtime the package loads."""
    return os.environ.get("BUCKET_RUNTIME_LIBRARY") or os.path.join(
        _config.LIB_DIR, "libbucket_runtime.so")


_lib = None


def lib():
    """The runtime library, loaded on first use."""
    global _lib
    if _lib is None:
        path = library_path()
        try:
            loaded = ctypes.CDLL(path)
        except OSError as e:
            raise ImportError(
                f"bucket: cannot load the runtime library {path}: {e} (set "
                "BUCKET_RUNTIME_LIBRARY to libbucket_runtime.so)") from e
        _declare(loaded)
        _lib = loaded
    return _lib
