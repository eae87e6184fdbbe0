# -*- Python -*-
# lit configuration for bucket's regression and end-to-end tests.

import os

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
config.substitutions.append(("%host_cc", config.host_cc))
config.substitutions.append(("%host_cxx", config.host_cxx))
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
