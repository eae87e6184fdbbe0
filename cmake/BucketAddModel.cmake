#===- BucketAddModel.cmake - bucket_add_model() --------------------------===#
#
# bucket_add_model(<target> <model>
#                  BUCKETS <spec>...
#                  [NAME <c-identifier>]
#                  [PAD_VALUES <arg>=<value>...] [MASKS <arg>...]
#                  [OUT_OF_RANGE <policy>...] [TARGET_CPU <cpu>]
#                  [COMPILE_OPTIONS <bucket-compile option>...]
#                  [SHARED])
#
# Compiles <model> (a tensor-level MLIR file; relative paths are relative to
# the current source directory) with bucket-compile at build time into
# <binary dir>/<target>/<name>.o and <name>.h, and wraps the object in a
# library target <target>: static by default, shared with SHARED. Linking
# <target> gives the generated header's directory (#include "<name>.h") and
# the runtime (bucket::runtime). The build reruns bucket-compile when the
# model file or the tool changes.
#
# A SHARED library is self-describing: the object exports the model's table
# (<name>_model_export and BUCKET_MODEL_EXPORT_SYMBOL), so bucket_model_open
# and the Python package load it by path without the header.
#
# The lists join as bucket-compile expects: BUCKETS with ';' (grid axes),
# PAD_VALUES, MASKS and OUT_OF_RANGE with ','. NAME (default: <target> with
# every character that is not a letter, digit or '_' replaced by '_') names
# the header, the object and the model (--model-name).
#
# Works in bucket's own build and after find_package(bucket CONFIG), which
# both define bucket::bucket-compile and bucket::runtime.
#===----------------------------------------------------------------------===#

include_guard(GLOBAL)

function(bucket_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 arg "SHARED"
    "NAME;TARGET_CPU"
    "BUCKETS;PAD_VALUES;MASKS;OUT_OF_RANGE;COMPILE_OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "bucket_add_model(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_BUCKETS)
    message(FATAL_ERROR "bucket_add_model(${target}): BUCKETS is required")
  endif()
  foreach(required bucket::bucket-compile bucket::runtime)
    if(NOT TARGET ${required})
      message(FATAL_ERROR "bucket_add_model(${target}): no target ${required}; "
        "call find_package(bucket CONFIG REQUIRED) first")
    endif()
  endforeach()

  if(arg_NAME)
    set(name ${arg_NAME})
  else()
    string(MAKE_C_IDENTIFIER "${target}" name)
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR
      "bucket_add_model(${target}): NAME '${name}' is not a C identifier")
  endif()
  get_filename_component(model "${model}" ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(object "${dir}/${name}.o")
  set(header "${dir}/${name}.h")
  # `;` separates bucket-compile's grid axes: keep it inside one argument.
  list(JOIN arg_BUCKETS "$<SEMICOLON>" buckets)
  set(options --buckets "${buckets}")
  if(arg_PAD_VALUES)
    list(JOIN arg_PAD_VALUES "," value)
    list(APPEND options --pad-values "${value}")
  endif()
  if(arg_MASKS)
    list(JOIN arg_MASKS "," value)
    list(APPEND options --masks "${value}")
  endif()
  if(arg_OUT_OF_RANGE)
    list(JOIN arg_OUT_OF_RANGE "," value)
    list(APPEND options --out-of-range "${value}")
  endif()
  if(arg_TARGET_CPU)
    list(APPEND options --mcpu "${arg_TARGET_CPU}")
  endif()

  add_custom_command(
    OUTPUT "${object}" "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND bucket::bucket-compile "${model}" ${options} ${arg_COMPILE_OPTIONS}
            --model-name ${name} -o "${object}" --header "${header}"
    DEPENDS "${model}" bucket::bucket-compile
            "$<TARGET_FILE:bucket::bucket-compile>"
    COMMENT "Compiling model ${name} with bucket-compile"
    VERBATIM)

  if(arg_SHARED)
    add_library(${target} SHARED "${object}")
    # The library's own references to its functions bind inside it, even
    # when the program links another build of the same model.
    target_link_options(${target} PRIVATE "LINKER:-Bsymbolic")
  else()
    add_library(${target} STATIC "${object}")
  endif()
  set_source_files_properties("${object}" PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  set_target_properties(${target} PROPERTIES
    LINKER_LANGUAGE C
    BUCKET_MODEL_HEADER "${header}"
    BUCKET_MODEL_NAME "${name}")
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${dir}>")
  # The shared runtime: a model library loaded next to the application (or
  # Python) then shares its runtime, whose thread-local records the
  # generated dispatchers write.
  target_link_libraries(${target} PUBLIC bucket::runtime m)
  # Whoever includes the header compiles after it has been generated.
  add_custom_target(${target}_header DEPENDS "${header}")
  add_dependencies(${target} ${target}_header)
endfunction()
