# -*- Python -*-
# lit configuration for bucket's regression and end-to-end tests.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "BUCKET"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.bucket_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unittests", "lib", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%bucket_src", config.bucket_src_root))
config.substitutions.append(("%bucket_runtime_include",
                             config.bucket_runtime_include))
config.substitutions.append(("%bucket_lib", config.bucket_lib_dir))
# In a sanitized build (BUCKET_SANITIZE), the programs the tests build link
# the instrumented runtime and must be instrumented too; any report fails.
sanitize_flags = ""
if config.bucket_sanitize:
    sanitize_flags = " -fsanitize=" + config.bucket_sanitize
    config.available_features.add("sanitize")
    config.environment["ASAN_OPTIONS"] = "abort_on_error=1:detect_leaks=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
config.substitutions.append(("%host_cc", config.host_cc + sanitize_flags))

# ThreadSanitizer for test/e2e/concurrent-calls.test: clang's runtime
# (libclang-rt-22-dev), on a kernel whose address layout it supports.
def _tsan_works():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "t.c")
        exe = os.path.join(tmp, "t")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        try:
            if subprocess.run([config.host_cc, "-fsanitize=thread", src, "-o", exe],
                              capture_output=True, timeout=120).returncode != 0:
                return False
            return subprocess.run([exe], capture_output=True,
                                  timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False
if not config.bucket_sanitize and _tsan_works():
    config.available_features.add("tsan")
else:
    lit_config.note("ThreadSanitizer is unavailable (libclang-rt-22-dev) or "
                    "the build is sanitized: the concurrency test is skipped")
config.substitutions.append(("%host_cxx", config.host_cxx + sanitize_flags))
config.substitutions.append(("%shapes", config.shapes_dir))
config.substitutions.append(("%encoder_mlir", config.encoder_mlir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.bucket_tools_dir, config.llvm_tools_dir]
tools = ["bucket-opt", "bucket-compile", "mlir-opt", "mlir-translate", "llc",
         "clang"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# `not`, `count` and the harnesses are found on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.bucket_tools_dir, append_path=True)

# Cross compilation to AArch64, run under user-mode QEMU (e2e/cross-aarch64.test):
# the cross compiler with its static C library (libc6-dev-arm64-cross, only
# recommended by gcc-aarch64-linux-gnu) and QEMU.
def has_static_libc(cc):
    try:
        path = subprocess.run([cc, "-print-file-name=libc.a"], text=True,
                              capture_output=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return os.path.isabs(path)

aarch64_cc = shutil.which("aarch64-linux-gnu-gcc")
qemu_aarch64 = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
if aarch64_cc and qemu_aarch64 and has_static_libc(aarch64_cc):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(("%aarch64_cc", aarch64_cc))
    config.substitutions.append(("%qemu_aarch64", qemu_aarch64))
else:
    lit_config.note("aarch64-linux-gnu-gcc (with libc6-dev-arm64-cross) or "
                    "qemu-aarch64 not found: the AArch64 cross-compilation test "
                    "is skipped (scripts/setup.sh installs them)")

# The ONNX importer (built when libonnx-dev and libprotobuf-dev are found):
# test/Onnx. Its PyTorch comparisons also need Debian's python3-torch and
# python3-onnx under /usr/bin/python3, and the backend node tests the
# libonnx-testdata package.
if config.bucket_has_onnx:
    config.available_features.add("onnx")
    llvm_config.add_tool_substitutions(["bucket-import-onnx"], tool_dirs)
    try:
        has_torch = subprocess.run(
            ["/usr/bin/python3", "-c", "import torch, onnx, numpy"],
            capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.SubprocessError):
        has_torch = False
    if has_torch:
        config.available_features.add("torch")
    else:
        lit_config.note("/usr/bin/python3 cannot import torch and onnx: the "
                        "PyTorch export tests are skipped (python3-torch, "
                        "python3-onnx)")
    node_data = "/usr/share/libonnx-testdata/data/node"
    if os.path.isdir(node_data):
        config.available_features.add("onnx-testdata")
        config.substitutions.append(("%onnx_node_data", node_data))
    else:
        lit_config.note(node_data + " not found: the ONNX backend node "
                        "tests are skipped (libonnx-testdata)")
else:
    lit_config.note("the ONNX importer is not built (libonnx-dev, "
                    "libprotobuf-dev): its tests are skipped")
