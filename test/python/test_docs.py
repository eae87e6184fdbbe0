"""docs/Using.md's snippets: the Python blocks after the marker comment run
(in order, in one namespace, from the source root); the CMake block is
examples/consumer/CMakeLists.txt's, which .ci/run builds and runs."""

import contextlib
import io
import os
import re
import tempfile
import unittest

SOURCE_DIR = os.environ["BUCKET_TEST_SOURCE_DIR"]
USING = os.path.join(SOURCE_DIR, "docs", "Using.md")


def blocks(text, language):
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, re.M | re.S)


class UsingDocTest(unittest.TestCase):
    def setUp(self):
        with open(USING) as f:
            self.text = f.read()

    def test_python_snippets_run(self):
        marker = self.text.index("<!-- test_docs.py runs the python blocks")
        snippets = blocks(self.text[marker:], "python")
        self.assertGreaterEqual(len(snippets), 2)
        namespace = {}
        out = io.StringIO()
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as cache:
            old = os.environ.get("BUCKET_CACHE_DIR")
            os.environ["BUCKET_CACHE_DIR"] = cache
            try:
                os.chdir(SOURCE_DIR)
                with contextlib.redirect_stdout(out):
                    for snippet in snippets:
                        exec(compile(snippet, USING, "exec"), namespace)
            finally:
                os.chdir(cwd)
                if old is None:
                    del os.environ["BUCKET_CACHE_DIR"]
                else:
                    os.environ["BUCKET_CACHE_DIR"] = old
        printed = out.getvalue()
        # The values the comments in the snippets promise.
        self.assertIn("['batch'] [(2,), (4,), (16,)]", printed)
        self.assertIn("(3, 2) [5. 7.]", printed)
        self.assertIn("rows: dimension 'batch' = 17 exceeds", printed)

    def test_cmake_snippet_is_the_consumer(self):
        with open(os.path.join(SOURCE_DIR, "examples", "consumer",
                               "CMakeLists.txt")) as f:
            consumer = f.read()
        snippet = blocks(self.text, "cmake")[0]
        for line in snippet.strip().splitlines():
            self.assertIn(line, consumer)


if __name__ == "__main__":
    unittest.main()
