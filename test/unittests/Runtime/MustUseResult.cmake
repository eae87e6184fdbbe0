# Checks that every function marked BUCKET_MUST_USE_RESULT warns when its
# result is ignored: compiles IgnoredResults.c as C (and as C++ when CXX is
# given, where the mark is [[nodiscard]]) and counts the unused-result
# warnings against the lines marked MUST WARN.
#
#   cmake -DCC=<c compiler> [-DCXX=<c++ compiler>] -DINCLUDE=<runtime/include>
#         -DSOURCE=<IgnoredResults.c> -P MustUseResult.cmake

file(STRINGS ${SOURCE} expected REGEX "/\\* MUST WARN \\*/")
list(LENGTH expected num_expected)

function(count_warnings)
  execute_process(
    # Compiled, not just parsed: GCC warns about unused results only when it
    # generates code.
    COMMAND ${ARGN} -c -o /dev/null -fdiagnostics-color=never -I${INCLUDE}
            ${SOURCE}
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
  # Clang and GCC both name the flag: [-Wunused-result].
  string(REGEX MATCHALL "-Wunused-result" warnings "${output}")
  list(LENGTH warnings num_warnings)
  if(NOT num_warnings EQUAL num_expected)
    message(FATAL_ERROR "${ARGN}: ${num_warnings} unused-result warnings, "
                        "expected ${num_expected}:\n${output}")
  endif()
  message(STATUS "${ARGN}: ${num_warnings} unused-result warnings")
endfunction()

count_warnings(${CC} -std=c11)
if(CXX)
  count_warnings(${CXX} -x c++ -std=c++17)
endif()
