"""Tests of the Python package `bucket` and of self-describing model
libraries (test/python/CMakeLists.txt builds the libraries and sets the
environment: BUCKET_TEST_TINY, BUCKET_TEST_ENCODER, BUCKET_TEST_C_PATH,
BUCKET_TEST_TINY_MLIR, BUCKET_TEST_BUILD_DIR)."""

import gc
import os
import subprocess
import tempfile
import unittest

import numpy as np

import bucket

TINY = os.environ["BUCKET_TEST_TINY"]
ENCODER = os.environ["BUCKET_TEST_ENCODER"]
C_PATH = os.environ["BUCKET_TEST_C_PATH"]
TINY_MLIR = os.environ["BUCKET_TEST_TINY_MLIR"]

try:
    import torch
except ImportError:
    torch = None

# The tiny model (test/e2e/Inputs/tiny_model.mlir): y = (x * g) . W + bias.
W = np.array([[0.5, -1.0, 0.25], [2.0, 0.75, -0.5], [-1.5, 0.125, 1.0],
              [0.0625, -2.0, 0.375]], np.float32)
BIAS = np.array([0.1, -0.2, 0.3], np.float32)
G = np.array([1.0, -0.5, 2.0, 0.25], np.float32)


def tiny_reference(x, g):
    return (x * g) @ W + BIAS


def tiny_input(batch):
    b = np.arange(batch)[:, None]
    k = np.arange(4)[None, :]
    return (((7 * b + 3 * k) % 11 - 5) / 4.0).astype(np.float32)


def encoder_inputs(seq):
    """The inputs c_path.c builds."""
    i = np.arange(seq, dtype=np.int64)
    ids = (37 * i + 11) % 1000
    mask = (i < seq - seq // 4).astype(np.int64)
    return ids, mask


class DescribeTest(unittest.TestCase):
    def test_tables(self):
        m = bucket.load(TINY)
        self.assertEqual(m.name, "tiny")
        # The version the runtime implements, which the Python mirror of
        # runtime_abi.h must name too.
        header = os.path.join(os.path.dirname(TINY_MLIR), "..", "..", "..",
                              "runtime", "include", "bucket", "runtime_abi.h")
        with open(header) as f:
            version = int(next(line.split()[2] for line in f
                               if line.startswith("#define BUCKET_RUNTIME_ABI_VERSION ")))
        self.assertEqual(m.abi_version, version)
        self.assertEqual(bucket._runtime.ABI_VERSION, version)
        self.assertEqual(list(m.functions), ["scale_rows"])
        f = m.scale_rows
        self.assertIs(f, m["scale_rows"])
        self.assertEqual(f.dims, ["batch"])
        self.assertEqual(f.buckets, [(2,), (4,), (16,)])
        self.assertEqual(f.out_of_range, {"batch": "error"})
        self.assertEqual([a.shape for a in f.args], [("batch", 4), (4,)])
        self.assertEqual([a.dtype for a in f.args],
                         [np.dtype(np.float32)] * 2)
        self.assertEqual(f.results[0].shape, (None, 3))

    def test_select(self):
        f = bucket.load(TINY).scale_rows
        self.assertEqual([f.select(n) for n in (1, 2, 3, 4, 5, 16)],
                         [0, 0, 1, 1, 2, 2])
        self.assertEqual(f.select(batch=3), 1)
        with self.assertRaisesRegex(bucket.OutOfRangeError, "17"):
            f.select(17)
        with self.assertRaises(bucket.InvalidArgumentError):
            f.select(0)
        with self.assertRaises(TypeError):
            f.select(1, 2)

    def test_encoder(self):
        m = bucket.load(ENCODER)
        f = m.forward
        self.assertEqual(f.dims, ["seq"])
        self.assertEqual(f.buckets, [(4,), (8,), (16,), (32,)])
        self.assertEqual([a.shape for a in f.args], [("seq",), ("seq",)])
        self.assertEqual(f.results[0].shape, (None, 256))


class CallTest(unittest.TestCase):
    def setUp(self):
        self.model = bucket.load(TINY)
        self.f = self.model.scale_rows

    def test_every_size(self):
        for batch in range(1, 17):
            x = tiny_input(batch)
            y = self.f(x, G)
            self.assertIsInstance(y, np.ndarray)
            self.assertEqual(y.shape, (batch, 3))
            self.assertEqual(y.dtype, np.float32)
            np.testing.assert_allclose(y, tiny_reference(x, G), rtol=1e-6,
                                       atol=1e-6)

    def test_non_contiguous_input(self):
        x = np.asfortranarray(tiny_input(5))
        self.assertFalse(x.flags.c_contiguous)
        np.testing.assert_allclose(self.f(x, G), tiny_reference(x, G),
                                   rtol=1e-6, atol=1e-6)
        strided = tiny_input(10)[::2]
        np.testing.assert_allclose(self.f(strided, G),
                                   tiny_reference(strided, G), rtol=1e-6,
                                   atol=1e-6)

    def test_array_like_inputs(self):
        x = tiny_input(3)
        # Lists have no dtype: they take the argument's.
        y = self.f(x.tolist(), G.tolist())
        np.testing.assert_allclose(y, tiny_reference(x, G), rtol=1e-6,
                                   atol=1e-6)

        class ArrayLike:
            def __init__(self, a):
                self.a = a

            def __array__(self, dtype=None):
                return self.a

        y = self.f(ArrayLike(x), ArrayLike(G))
        np.testing.assert_allclose(y, tiny_reference(x, G), rtol=1e-6,
                                   atol=1e-6)

    def test_out_of_range(self):
        with self.assertRaises(bucket.OutOfRangeError) as cm:
            self.f(tiny_input(17), G)
        self.assertEqual(cm.exception.code, "OUT_OF_RANGE")
        self.assertIn("'batch' = 17", str(cm.exception))
        self.assertIn("16", str(cm.exception))
        self.assertIsInstance(cm.exception, ValueError)

    def test_bad_inputs(self):
        bad = [
            ((np.ones((3, 5), np.float32), G), "size 5 in dimension 1"),
            ((np.ones((3, 4), np.float64), G), "element type f64"),
            ((np.ones(4, np.float32), G), "rank"),
            ((np.ones((3, 4), np.uint8), G), "dtype uint8"),
            ((np.ones((3, 4), np.float32),), "expects 2 arguments"),
        ]
        for args, message in bad:
            with self.subTest(message=message):
                with self.assertRaisesRegex(bucket.InvalidArgumentError,
                                            message):
                    self.f(*args)

    def test_results_outlive_model(self):
        y = self.f(tiny_input(4), G)
        self.model.close()
        del self.model, self.f
        gc.collect()
        np.testing.assert_allclose(y, tiny_reference(tiny_input(4), G),
                                   rtol=1e-6, atol=1e-6)

    def test_closed_model(self):
        f = self.f
        self.model.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            f(tiny_input(2), G)

    def test_unknown_function(self):
        with self.assertRaisesRegex(AttributeError, "scale_rows"):
            self.model.nope

    def test_telemetry(self):
        self.assertEqual(bucket.self_check_count(), 0)


class LoadErrorsTest(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaisesRegex(bucket.InvalidArgumentError,
                                    "cannot load"):
            bucket.load("/nonexistent/libmodel.so")

    def test_library_without_table(self):
        from bucket import _runtime
        with self.assertRaisesRegex(bucket.InvalidArgumentError,
                                    "exports no model table"):
            bucket.load(_runtime.library_path())

    def test_by_model_name(self):
        # The library is linked from the object alone: the object exports
        # the table under the model's name too.
        m = bucket.load(TINY, name="tiny")
        self.assertEqual(m.name, "tiny")
        self.assertEqual(list(m.functions), ["scale_rows"])
        with self.assertRaisesRegex(bucket.InvalidArgumentError,
                                    r"exports no model table "
                                    r"\(other_model_export\)"):
            bucket.load(TINY, name="other")
        with self.assertRaisesRegex(bucket.InvalidArgumentError,
                                    "not a C identifier"):
            bucket.load(TINY, name="9lives")


class CPathTest(unittest.TestCase):
    """Python's results equal, bit for bit, those of the generated header's
    entry point called from C on the same library, at every bucket edge."""

    EDGES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32]

    def test_bucket_edges(self):
        m = bucket.load(ENCODER)
        with tempfile.TemporaryDirectory() as tmp:
            for seq in self.EDGES:
                with self.subTest(seq=seq):
                    out = os.path.join(tmp, f"{seq}.bin")
                    subprocess.run([C_PATH, str(seq), out], check=True)
                    c_result = np.fromfile(out, np.float32).reshape(seq, 256)
                    y = m.forward(*encoder_inputs(seq))
                    self.assertEqual(y.shape, (seq, 256))
                    self.assertTrue(np.isfinite(y).all())
                    np.testing.assert_array_equal(y, c_result)

    def test_one_past_the_largest(self):
        m = bucket.load(ENCODER)
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([C_PATH, "33", os.path.join(tmp, "o")],
                                  capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertTrue(proc.stdout.startswith("OUT_OF_RANGE: "))
        with self.assertRaises(bucket.OutOfRangeError) as cm:
            m.forward(*encoder_inputs(33))
        self.assertEqual(str(cm.exception),
                         proc.stdout[len("OUT_OF_RANGE: "):].strip())


class CompileTest(unittest.TestCase):
    def test_compile_and_cache(self):
        with tempfile.TemporaryDirectory() as cache:
            m = bucket.compile(TINY_MLIR, buckets={"batch": [2, 8]},
                               name="tiny2", cache_dir=cache)
            self.assertEqual(m.scale_rows.buckets, [(2,), (8,)])
            x = tiny_input(6)
            np.testing.assert_allclose(m.scale_rows(x, G),
                                       tiny_reference(x, G), rtol=1e-6,
                                       atol=1e-6)
            entries = os.listdir(cache)
            again = bucket.compile(TINY_MLIR, buckets="batch=2,8",
                                   name="tiny2", cache_dir=cache)
            self.assertEqual(os.listdir(cache), entries)  # A cache hit.
            self.assertEqual(again.path, m.path)

    def test_compile_error(self):
        with tempfile.TemporaryDirectory() as cache:
            with self.assertRaisesRegex(bucket.CompileError,
                                        "bucket-compile failed"):
                bucket.compile(TINY_MLIR, buckets="nosuchdim=4",
                               cache_dir=cache)


@unittest.skipIf(torch is None,
                 "python3-torch is not installed: PyTorch tensors untested")
class TorchTest(unittest.TestCase):
    def test_torch_in_torch_out(self):
        f = bucket.load(TINY).scale_rows
        x = torch.from_numpy(tiny_input(5)).requires_grad_(True)
        y = f(x, torch.from_numpy(G))
        self.assertIsInstance(y, torch.Tensor)
        self.assertEqual(tuple(y.shape), (5, 3))
        np.testing.assert_allclose(y.numpy(), tiny_reference(tiny_input(5), G),
                                   rtol=1e-6, atol=1e-6)

    def test_encoder_from_torch(self):
        m = bucket.load(ENCODER)
        ids, mask = encoder_inputs(9)
        y = m.forward(torch.from_numpy(ids), torch.from_numpy(mask))
        self.assertIsInstance(y, torch.Tensor)
        np.testing.assert_array_equal(y.numpy(),
                                      m.forward(ids, mask))


if __name__ == "__main__":
    unittest.main()
