# Lowers INPUT with upstream mlir-opt and the text pipeline bucket-compile
# prints (MLIR's generic lowering), then to an object: the reference the
# benchmarks compare bucket's code generation with.
execute_process(COMMAND ${BUCKET_COMPILE} --print-lowering-pipeline
  OUTPUT_VARIABLE pipeline OUTPUT_STRIP_TRAILING_WHITESPACE
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${MLIR_OPT} ${INPUT} --pass-pipeline=${pipeline}
  -o ${OUTPUT}.mlir COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${MLIR_TRANSLATE} --mlir-to-llvmir ${OUTPUT}.mlir
  -o ${OUTPUT}.ll COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CLANG} -c -O3 -march=native -fPIC
  -Wno-override-module ${OUTPUT}.ll -o ${OUTPUT} COMMAND_ERROR_IS_FATAL ANY)
