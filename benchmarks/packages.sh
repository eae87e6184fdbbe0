# Sourced by the benchmark scripts: the Debian packages a comparison needs.
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
