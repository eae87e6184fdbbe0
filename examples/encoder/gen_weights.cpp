// gen_weights: fills the weight placeholders of an MLIR template with
// deterministic pseudo-random f32 data.
//
//   gen_weights <template> <output>
//
// Every placeholder has the form (inside an MLIR dense elements attribute)
//
//   dense<"@WEIGHT:<name>:<scale>@"> : tensor<D0xD1x...xf32>
//   dense<"@WEIGHT:<name>:<scale>:<mean>@"> : tensor<D0xD1x...xf32>
//
// <name>  [A-Za-z0-9_.]+; it alone seeds the values, so a weight does not
//         depend on the order or number of placeholders. A name may occur
//         again (the same weight in another function) only with the same
//         scale, mean and type.
// <scale> <mean>  decimal floating-point numbers (scale >= 0, mean defaults
//         to 0); the values are uniform in [mean - scale, mean + scale).
// The shape is taken from the static f32 tensor type that follows the
// attribute on the same line; at most one placeholder per line.
//
// The placeholder is replaced by MLIR's hex form of a DenseElementsAttr,
// dense<"0x...">: the raw little-endian f32 bytes, without any header (unlike
// dense_resource blobs, which carry a 4-byte alignment prefix).
//
// Values: seed = FNV-1a-64(name); x_i = splitmix64 stream from seed;
// u_i = (x_i >> 40) / 2^24 in [0, 1); value_i = (float)(mean + scale * (2 u_i -
// 1)).
//
// "//" comments in the template are copied unchanged and not scanned.
// Errors (malformed placeholder, bad type, duplicate name, I/O) are reported
// as "<template>:<line>:<column>: error: ..." and exit with status 1; the
// output file is only written when the whole template is valid.

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char kMarker[] = "@WEIGHT";
const char kOpen[] = "dense<\"@WEIGHT:";
const char kClose[] = "@\">";

struct Error {
  size_t column; // 1-based, 0 = whole line
  std::string message;
};

uint64_t fnv1a64(const std::string &s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Parses a whole string as a finite double.
bool parseNumber(const std::string &text, double &value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  errno = 0;
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() &&
         std::isfinite(value);
}

// Offset of the first "//" of `line` that is outside a string literal, or
// npos.
size_t commentStart(const std::string &line) {
  bool inString = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      return i;
    }
  }
  return std::string::npos;
}

std::string hexFloats(const std::string &name, double scale, double mean,
                      uint64_t count) {
  static const char digits[] = "0123456789ABCDEF";
  std::string hex;
  hex.reserve(2 + 8 * count);
  hex += "0x";
  uint64_t state = fnv1a64(name);
  for (uint64_t i = 0; i < count; ++i) {
    double u = static_cast<double>(splitmix64(state) >> 40) * 0x1p-24;
    float value = static_cast<float>(mean + scale * (2.0 * u - 1.0));
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    for (int byte = 0; byte < 4; ++byte) { // little-endian byte order
      unsigned b = (bits >> (8 * byte)) & 0xFF;
      hex += digits[b >> 4];
      hex += digits[b & 0xF];
    }
  }
  return hex;
}

// Case-insensitive search, so that a misspelt "@weight" is reported too.
size_t findMarker(const std::string &code, size_t from) {
  const size_t len = sizeof(kMarker) - 1;
  for (size_t i = from; i + len <= code.size(); ++i) {
    size_t j = 0;
    while (j < len &&
           std::toupper(static_cast<unsigned char>(code[i + j])) == kMarker[j])
      ++j;
    if (j == len)
      return i;
  }
  return std::string::npos;
}

// Rewrites one line (code part only). Returns false and fills `err` on error.
bool processLine(const std::string &code, std::string &out,
                 std::map<std::string, std::string> &names, Error &err) {
  size_t marker = findMarker(code, 0);
  if (marker == std::string::npos) {
    out = code;
    return true;
  }
  if (findMarker(code, marker + 1) != std::string::npos) {
    err = {findMarker(code, marker + 1) + 1,
           "more than one weight placeholder on a line"};
    return false;
  }
  const size_t openLen = sizeof(kOpen) - 1;
  const size_t prefixLen = openLen - (sizeof(kMarker) - 1) - 1; // `dense<"`
  if (marker < prefixLen ||
      code.compare(marker - prefixLen, openLen, kOpen) != 0) {
    err = {marker + 1, "placeholder must be written "
                       "dense<\"@WEIGHT:<name>:<scale>[:<mean>]@\">"};
    return false;
  }
  size_t start = marker - prefixLen; // at `dense<`
  size_t fields = start + openLen;   // after `@WEIGHT:`
  size_t close = code.find(kClose, fields);
  size_t quote = code.find('"', fields);
  if (close == std::string::npos || quote != close + 1) {
    err = {marker + 1,
           "unterminated placeholder: expected '@\">' after the fields"};
    return false;
  }

  // Split <name>:<scale>[:<mean>].
  std::vector<std::string> parts;
  std::string body = code.substr(fields, close - fields);
  for (size_t pos = 0;;) {
    size_t colon = body.find(':', pos);
    parts.push_back(body.substr(pos, colon - pos));
    if (colon == std::string::npos)
      break;
    pos = colon + 1;
  }
  if (parts.size() != 2 && parts.size() != 3) {
    err = {fields + 1,
           "expected <name>:<scale> or <name>:<scale>:<mean>, got '" + body +
               "'"};
    return false;
  }
  const std::string &name = parts[0];
  if (name.empty()) {
    err = {fields + 1, "empty weight name"};
    return false;
  }
  for (char c : name) {
    if (!isNameChar(c)) {
      err = {fields + 1, "invalid character '" + std::string(1, c) +
                             "' in weight name '" + name +
                             "' (allowed: A-Z a-z 0-9 _ .)"};
      return false;
    }
  }
  double scale = 0.0, mean = 0.0;
  if (!parseNumber(parts[1], scale) || scale < 0.0) {
    err = {fields + name.size() + 2, "invalid scale '" + parts[1] +
                                         "' for weight '" + name +
                                         "' (expected a finite number >= 0)"};
    return false;
  }
  if (parts.size() == 3 && !parseNumber(parts[2], mean)) {
    err = {fields + name.size() + parts[1].size() + 3,
           "invalid mean '" + parts[2] + "' for weight '" + name + "'"};
    return false;
  }
  // The type: `: tensor<D0x...xf32>` right after the attribute.
  size_t end = close + sizeof(kClose) - 1;
  size_t p = end;
  auto skipSpaces = [&] {
    while (p < code.size() && (code[p] == ' ' || code[p] == '\t'))
      ++p;
  };
  skipSpaces();
  const std::string tensorKw = "tensor<";
  if (p >= code.size() || code[p] != ':') {
    err = {p + 1, "expected ': tensor<...xf32>' after the placeholder of '" +
                      name + "' (on the same line)"};
    return false;
  }
  ++p;
  skipSpaces();
  if (code.compare(p, tensorKw.size(), tensorKw) != 0) {
    err = {p + 1, "expected 'tensor<' type for weight '" + name + "'"};
    return false;
  }
  p += tensorKw.size();
  uint64_t count = 1;
  for (;;) {
    if (code.compare(p, 4, "f32>") == 0)
      break;
    size_t digitsStart = p;
    uint64_t dim = 0;
    while (p < code.size() && code[p] >= '0' && code[p] <= '9') {
      dim = dim * 10 + static_cast<uint64_t>(code[p] - '0');
      if (dim > (uint64_t(1) << 32)) {
        err = {digitsStart + 1,
               "dimension too large for weight '" + name + "'"};
        return false;
      }
      ++p;
    }
    if (p == digitsStart || p >= code.size() || code[p] != 'x') {
      err = {digitsStart + 1,
             "weight '" + name +
                 "' needs a static f32 tensor type (tensor<D0x...xf32>)"};
      return false;
    }
    ++p;
    count *= dim;
    if (count > (uint64_t(1) << 32)) {
      err = {digitsStart + 1, "weight '" + name + "' is too large"};
      return false;
    }
  }
  if (count == 0) {
    err = {start + 1, "weight '" + name + "' has no elements"};
    return false;
  }
  // A repeated name is the same weight: it must be declared the same way.
  std::string spec = body + code.substr(end, p + 4 - end);
  auto [it, inserted] = names.emplace(name, spec);
  if (!inserted && it->second != spec) {
    err = {fields + 1,
           "weight name '" + name + "' used again with another scale or type"};
    return false;
  }

  out = code.substr(0, start) + "dense<\"" +
        hexFloats(name, scale, mean, count) + "\">" + code.substr(end);
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: " << (argc > 0 ? argv[0] : "gen_weights")
              << " <template> <output>\n";
    return 2;
  }
  const std::string inPath = argv[1], outPath = argv[2];
  std::ifstream in(inPath, std::ios::binary);
  if (!in) {
    std::cerr << "gen_weights: error: cannot open template '" << inPath
              << "': " << std::strerror(errno) << "\n";
    return 1;
  }

  std::string result, line;
  std::map<std::string, std::string> names;
  size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    bool hadEol = !in.eof();
    size_t comment = commentStart(line);
    std::string code = line.substr(0, comment);
    std::string rewritten;
    Error err;
    if (!processLine(code, rewritten, names, err)) {
      std::cerr << inPath << ":" << lineNo << ":" << err.column
                << ": error: " << err.message << "\n"
                << line << "\n";
      return 1;
    }
    result += rewritten;
    if (comment != std::string::npos)
      result += line.substr(comment);
    if (hadEol)
      result += '\n';
  }
  if (in.bad()) {
    std::cerr << "gen_weights: error: cannot read template '" << inPath
              << "'\n";
    return 1;
  }

  std::ofstream out(outPath, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "gen_weights: error: cannot create '" << outPath
              << "': " << std::strerror(errno) << "\n";
    return 1;
  }
  out << result;
  out.close();
  if (!out) {
    std::cerr << "gen_weights: error: cannot write '" << outPath << "'\n";
    std::remove(outPath.c_str());
    return 1;
  }
  return 0;
}
