#!/usr/bin/python3
"""Seeds for bucket-fuzz-compiler from the lit and e2e inputs.

Every test/**/*.mlir file is split at `// -----` into modules; comment lines
(RUN, CHECK, expected-*) are dropped, and the options of the file's RUN lines
(bucket-opt -bucket-bucketize=/-bucket-specialize-functions= or
bucket-compile --buckets ... flags) become the seed's first line,
`// bucket-bucketize: KEY=VALUE ...`, which the fuzz target reads. A file
run with several option sets gives one seed per set (at most three).

  /usr/bin/python3 test/fuzz/make-compiler-seeds.py --out DIR [ROOT ...]

ROOT defaults to the repository's test/ (test/fuzz excluded). Prints the
number of seeds written.
"""

import argparse
import hashlib
import os
import re
import shlex
import sys

PREFIX = "// bucket-bucketize:"
KEYS = ("buckets", "pad-values", "masks", "out-of-range", "self-check",
        "padding", "max-buckets", "symbol-prefix", "c-interface",
        "export-buckets")
PASS_RE = re.compile(r"-bucket-(?:bucketize|specialize-functions)=(\"[^\"]*\"|'[^']*')")


def words_of_pass_option(text):
    """`buckets=seq=8 out-of-range=fallback` (quotes removed) as words."""
    return [w for w in text.strip("'\"").split()
            if w.split("=", 1)[0] in KEYS]


def words_of_compile_flags(line):
    """bucket-compile's flags on a RUN line as `key=value` words."""
    try:
        args = shlex.split(line)
    except ValueError:
        return []
    words, i = [], 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("--"):
            continue
        key, eq, value = arg[2:].partition("=")
        if key not in KEYS:
            continue
        if key in ("self-check", "c-interface", "export-buckets"):
            words.append(f"{key}=true")
            continue
        if not eq:
            if i >= len(args):
                break
            value = args[i]
            i += 1
        if "$" in value or "%" in value or not value or " " in value:
            continue
        words.append(f"{key}={value}")
    return words


def option_sets(lines):
    """The distinct option sets of a file's RUN lines, first seen first."""
    sets = []
    for line in lines:
        if "RUN:" not in line:
            continue
        line = line.split("RUN:", 1)[1]
        words = []
        for m in PASS_RE.finditer(line):
            words += words_of_pass_option(m.group(1))
        if "bucket-compile" in line:
            words += words_of_compile_flags(line.split("bucket-compile", 1)[1])
        if words and words not in sets:
            sets.append(words)
    return sets[:3] or [[]]


def modules(lines):
    """The file's modules (split at `// -----`) without comment lines."""
    chunks, current = [], []
    for line in lines:
        if line.strip() == "// -----":
            chunks.append(current)
            current = []
        elif not line.lstrip().startswith("//"):
            current.append(line.rstrip())
    chunks.append(current)
    texts = []
    for chunk in chunks:
        text = "\n".join(chunk).strip("\n") + "\n"
        if text.strip():
            texts.append(text)
    return texts


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("roots", nargs="*",
                    default=[os.path.normpath(os.path.join(here, ".."))])
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    seen, written = set(), 0
    for root in a.roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "fuzz")
            for name in sorted(filenames):
                if not name.endswith(".mlir"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path) as f:
                    lines = f.read().splitlines()
                stem = os.path.relpath(path, root).replace(os.sep, "_")[:-5]
                for k, words in enumerate(option_sets(lines)):
                    header = f"{PREFIX} {' '.join(words)}\n" if words else ""
                    for j, text in enumerate(modules(lines)):
                        seed = header + text
                        digest = hashlib.sha1(seed.encode()).hexdigest()
                        if digest in seen:
                            continue
                        seen.add(digest)
                        out = os.path.join(a.out, f"{stem}-{k}-{j}.mlir")
                        with open(out, "w") as f:
                            f.write(seed)
                        written += 1
    print(f"{written} seeds in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
