# Sourced by the benchmark scripts.
#
#   require_packages PACKAGE...
#
# Returns 0 when all are installed, installing the missing ones with apt-get
# when run as root (as scripts/setup.sh does for the build); otherwise says
# which are missing and how to install them, and returns 1.
require_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "# installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null && return 0
  fi
  echo "# missing Debian packages: ${missing[*]}" \
       "(sudo apt-get install ${missing[*]})"
  return 1
}

# One thread for OpenBLAS and OpenMP, and the OpenBLAS core type the
# comparisons use: OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs
# and takes slow kernels on them unless told SkylakeX; that core type dies
# with SIGILL on CPUs without AVX-512, where its own detection is right.
# Prints what it chose.
use_one_core_openblas() {
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
  echo "# OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto}, one thread"
}
