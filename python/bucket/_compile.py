"""bucket.compile: bucket-compile a model into a cached, self-describing
shared library and load it."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from . import _config


class CompileError(RuntimeError):
    """bucket-compile or the C compiler failed; the message holds its
    diagnostics."""


def _tool():
    tool = os.environ.get("BUCKET_COMPILE")
    if tool:
        return tool
    local = os.path.join(_config.BIN_DIR, "bucket-compile")
    if os.access(local, os.X_OK):
        return local
    found = shutil.which("bucket-compile")
    if not found:
        raise CompileError("bucket-compile not found (set BUCKET_COMPILE)")
    return found


def _c_compiler():
    for cc in (os.environ.get("CC"), "cc", "clang-22", "gcc", "clang"):
        if cc and shutil.which(cc):
            return cc
    raise CompileError("no C compiler found to link the model (set CC)")


def _cache_dir():
    root = os.environ.get("BUCKET_CACHE_DIR")
    if root:
        return root
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "bucket")


def _join(value, sep, pairs=False):
    """Spells a list, dict or string as bucket-compile's options do."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return sep.join(
            f"{k}={','.join(map(str, v)) if pairs and not isinstance(v, str) else v}"
            for k, v in value.items())
    return sep.join(map(str, value))


def _run(cmd, what):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CompileError(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"{proc.stderr.strip()}")


def compile(model, buckets=None, *, name="model", pad_values=None,
            masks=None, out_of_range=None, target_cpu=None, options=(),
            cache_dir=None, force=False):
    """Compiles `model` (a file bucket-compile reads) with `buckets` into a
    shared library under `cache_dir` and returns the loaded bucket.Model.

    buckets: "seq=64,128" or {"seq": [64, 128], "batch": [1, 8]} (a grid);
    None uses the module's own bucket.buckets attributes.
    pad_values: "0=-inf" or {0: "-inf"}; masks: "1" or [1];
    out_of_range: "fallback" or {"seq": "truncate"}; target_cpu: --mcpu;
    options: more bucket-compile arguments. The library is rebuilt only when
    the model file, the arguments or bucket-compile change (or force=True).
    """
    from . import load

    model = os.path.abspath(os.fspath(model))
    tool = _tool()
    args = []
    if buckets is not None:
        args += ["--buckets", _join(buckets, ";", pairs=True)]
    if pad_values is not None:
        args += ["--pad-values", _join(pad_values, ",")]
    if masks is not None:
        args += ["--masks", _join(masks, ",")]
    if out_of_range is not None:
        args += ["--out-of-range", _join(out_of_range, ",")]
    if target_cpu is not None:
        args += ["--mcpu", target_cpu]
    args += list(options)
    args += ["--model-name", name]

    key = hashlib.sha256()
    with open(model, "rb") as f:
        key.update(f.read())
    stat = os.stat(shutil.which(tool) or tool)
    key.update(json.dumps([args, tool, stat.st_size, stat.st_mtime_ns,
                           _config.VERSION]).encode())
    root = cache_dir or _cache_dir()
    stem = os.path.splitext(os.path.basename(model))[0]
    out_dir = os.path.join(root, f"{stem}-{key.hexdigest()[:16]}")
    library = os.path.join(out_dir, f"lib{name}.so")
    if force or not os.path.exists(library):
        os.makedirs(root, exist_ok=True)
        work = tempfile.mkdtemp(prefix=f".{stem}-", dir=root)
        try:
            _build(tool, model, args, name, work)
            if force and os.path.isdir(out_dir):
                shutil.rmtree(out_dir, ignore_errors=True)
            try:
                os.rename(work, out_dir)
            except OSError:
                pass  # Another process built the same library first.
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return load(library)


def _build(tool, model, args, name, work):
    obj = os.path.join(work, f"{name}.o")
    header = os.path.join(work, f"{name}.h")
    _run([tool, model, *args, "-o", obj, "--header", header], "bucket-compile")
    # The object exports the model's table itself: linking it alone makes
    # the library self-describing.
    lib_dir = _config.LIB_DIR
    _run([_c_compiler(), "-shared", "-Wl,-Bsymbolic", obj, "-o",
          os.path.join(work, f"lib{name}.so"), "-L", lib_dir,
          f"-Wl,-rpath,{lib_dir}", "-lbucket_runtime", "-lm"],
         "linking the model library")
