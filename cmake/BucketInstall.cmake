#===- BucketInstall.cmake - install rules, CMake package, .deb -----------===#
#
# Included by the top-level CMakeLists.txt after the tools and the runtime:
# the names bucket::* inside the build (so bucket_add_model works in-tree as
# it does after find_package), the installed CMake package and the CPack
# configuration (`cpack -G DEB` in the build directory).
#===----------------------------------------------------------------------===#

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The imported targets of an installed package, as aliases in the build.
add_library(bucket::runtime ALIAS bucket_runtime_shared)
add_library(bucket::runtime_static ALIAS bucket_runtime)
add_executable(bucket::bucket-compile ALIAS bucket-compile)
add_executable(bucket::bucket-opt ALIAS bucket-opt)
include(${PROJECT_SOURCE_DIR}/cmake/BucketAddModel.cmake)

# The tools (which add_mlir_tool leaves alone under
# LLVM_INSTALL_TOOLCHAIN_ONLY). Installed, they still find Debian's
# libMLIR.so, which is not on the loader's path.
set(BUCKET_INSTALLED_TOOLS bucket-compile bucket-opt)
if(TARGET bucket-import-onnx)
  list(APPEND BUCKET_INSTALLED_TOOLS bucket-import-onnx)
endif()
set_target_properties(${BUCKET_INSTALLED_TOOLS} PROPERTIES
  INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
install(TARGETS ${BUCKET_INSTALLED_TOOLS}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)

set(BUCKET_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/bucket)
install(EXPORT bucketTargets NAMESPACE bucket::
  DESTINATION ${BUCKET_CMAKE_INSTALL_DIR} COMPONENT runtime)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/bucketConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/bucketConfig.cmake
  INSTALL_DESTINATION ${BUCKET_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/bucketConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/bucketConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/bucketConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/BucketAddModel.cmake
  DESTINATION ${BUCKET_CMAKE_INSTALL_DIR} COMPONENT runtime)

install(FILES ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT docs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT docs
  FILES_MATCHING PATTERN "*.md")

# CPack: one .deb with everything (`cpack -G DEB`).
set(CPACK_PACKAGE_NAME bucket)
set(CPACK_PACKAGE_VENDOR "bucket")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MLIR ahead-of-time bucketing compiler, its C runtime and Python package")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "bucket developers")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The tools link Debian's libMLIR.so.22.1 and libLLVM.so.22.1; compiling a
# model into a library needs a C compiler.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libmlir-22, llvm-22-dev, libc6, gcc | clang-22")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3, python3-numpy")
include(CPack)
