// check_main: development check of the encoder example lowered by upstream
// MLIR (see run_upstream.sh); links against the object that exports
// _mlir_ciface_forward.
//
//   check_main <encoder.mlir.in> [--quick]
//
// The template is read to recompute the weights (same placeholder syntax and
// PRNG as gen_weights.cpp) for a plain C reference of the model. For each
// sequence length it checks that the output
//   * has shape [seq, 256] and only finite values,
//   * is layer-normalised: per row, (y - beta) / gamma has mean ~0, std ~1,
//   * matches the C reference,
//   * at unmasked positions does not depend, bit for bit, on the ids at masked
//     positions, and that out-of-range ids behave as the clamped ids,
//   * is deterministic,
// and reports a checksum, a few values and the time per call.
// --quick: lengths 1 and 7 only, no timing (for valgrind).

#define _POSIX_C_SOURCE 200809L // clock_gettime

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// ---- MLIR memref descriptors (C interface) --------------------------------
typedef struct {
  int64_t *allocated;
  int64_t *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} MemRefI64x1;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MemRefF32x2;

void _mlir_ciface_forward(MemRefF32x2 *result, MemRefI64x1 *input_ids,
                          MemRefI64x1 *attention_mask);

enum {
  D = 256,
  H = 4,
  DH = 64,
  F = 1024,
  VOCAB = 1000,
  MAXPOS = 1024,
  LAYERS = 2
};

static int passed = 0, failed = 0;

static void check(int ok, const char *what, int seq) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    printf("  FAIL [seq %d] %s\n", seq, what);
  }
}

// ---- Weights: parse the template's placeholders, regenerate the values ----
typedef struct {
  char name[64];
  double scale, mean;
  int64_t count;
} Placeholder;

static Placeholder placeholders[128];
static int numPlaceholders = 0;

static void readTemplate(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "check_main: cannot open template %s\n", path);
    exit(2);
  }
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char *comment = strstr(line, "//");
    if (comment)
      *comment = 0;
    char *p = strstr(line, "\"@WEIGHT:");
    if (!p)
      continue;
    p += strlen("\"@WEIGHT:");
    char *end = strstr(p, "@\"");
    if (!end || end - p >= 256 || !strchr(p, ':') || !strstr(end, "tensor<") ||
        numPlaceholders ==
            (int)(sizeof placeholders / sizeof placeholders[0])) {
      fprintf(stderr, "check_main: cannot parse placeholder: %s", line);
      exit(2);
    }
    Placeholder *ph = &placeholders[numPlaceholders++];
    char fields[256];
    size_t n = (size_t)(end - p);
    memcpy(fields, p, n);
    fields[n] = 0;
    char *colon = strchr(fields, ':');
    *colon = 0;
    snprintf(ph->name, sizeof ph->name, "%s", fields);
    char *rest;
    ph->scale = strtod(colon + 1, &rest);
    ph->mean = *rest == ':' ? strtod(rest + 1, NULL) : 0.0;
    char *t = strstr(end, "tensor<") + strlen("tensor<");
    ph->count = 1;
    while (*t >= '0' && *t <= '9') {
      ph->count *= strtoll(t, &t, 10);
      ++t; // 'x'
    }
  }
  fclose(f);
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static float *weight(const char *name, int64_t count) {
  for (int i = 0; i < numPlaceholders; ++i) {
    Placeholder *ph = &placeholders[i];
    if (strcmp(ph->name, name) != 0)
      continue;
    if (ph->count != count) {
      fprintf(stderr,
              "check_main: weight %s has %lld elements, expected %lld\n", name,
              (long long)ph->count, (long long)count);
      exit(2);
    }
    uint64_t state = 0xcbf29ce484222325ULL; // FNV-1a 64 of the name
    for (const char *c = name; *c; ++c) {
      state ^= (unsigned char)*c;
      state *= 0x100000001b3ULL;
    }
    float *w = malloc(sizeof(float) * (size_t)count);
    for (int64_t j = 0; j < count; ++j) {
      double u = (double)(splitmix64(&state) >> 40) * 0x1p-24;
      w[j] = (float)(ph->mean + ph->scale * (2.0 * u - 1.0));
    }
    return w;
  }
  fprintf(stderr, "check_main: weight %s not found in the template\n", name);
  exit(2);
}

typedef struct {
  float *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo, *ln1g, *ln1b;
  float *w1, *b1, *w2, *b2, *ln2g, *ln2b;
} Layer;

static struct {
  float *word, *pos, *lng, *lnb;
  Layer layer[LAYERS];
} W;

static float *layerWeight(int l, const char *suffix, int64_t count) {
  char name[64];
  snprintf(name, sizeof name, "l%d.%s", l, suffix);
  return weight(name, count);
}

static void loadWeights(void) {
  W.word = weight("emb.word", (int64_t)VOCAB * D);
  W.pos = weight("emb.pos", (int64_t)MAXPOS * D);
  W.lng = weight("emb.ln.gamma", D);
  W.lnb = weight("emb.ln.beta", D);
  for (int l = 0; l < LAYERS; ++l) {
    Layer *L = &W.layer[l];
    L->wq = layerWeight(l, "attn.wq", D * D);
    L->bq = layerWeight(l, "attn.bq", D);
    L->wk = layerWeight(l, "attn.wk", D * D);
    L->bk = layerWeight(l, "attn.bk", D);
    L->wv = layerWeight(l, "attn.wv", D * D);
    L->bv = layerWeight(l, "attn.bv", D);
    L->wo = layerWeight(l, "attn.wo", D * D);
    L->bo = layerWeight(l, "attn.bo", D);
    L->ln1g = layerWeight(l, "ln1.gamma", D);
    L->ln1b = layerWeight(l, "ln1.beta", D);
    L->w1 = layerWeight(l, "ffn.w1", D * F);
    L->b1 = layerWeight(l, "ffn.b1", F);
    L->w2 = layerWeight(l, "ffn.w2", F * D);
    L->b2 = layerWeight(l, "ffn.b2", D);
    L->ln2g = layerWeight(l, "ln2.gamma", D);
    L->ln2b = layerWeight(l, "ln2.beta", D);
  }
}

static void freeWeights(void) {
  free(W.word), free(W.pos), free(W.lng), free(W.lnb);
  for (int l = 0; l < LAYERS; ++l) {
    Layer *L = &W.layer[l];
    float *all[] = {L->wq, L->bq, L->wk,   L->bk,   L->wv, L->bv,
                    L->wo, L->bo, L->ln1g, L->ln1b, L->w1, L->b1,
                    L->w2, L->b2, L->ln2g, L->ln2b};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
      free(all[i]);
  }
}

// ---- C reference of the model (double accumulation) ------------------------
// y[s][0..out) = x[s][0..in) · w[in][out] + b
static void linear(const float *x, int seq, int in, int out, const float *w,
                   const float *b, float *y) {
  double *acc = malloc(sizeof(double) * (size_t)out);
  for (int s = 0; s < seq; ++s) {
    for (int o = 0; o < out; ++o)
      acc[o] = b[o];
    for (int i = 0; i < in; ++i) {
      double xv = x[(size_t)s * in + i];
      const float *wr = w + (size_t)i * out;
      for (int o = 0; o < out; ++o)
        acc[o] += xv * wr[o];
    }
    for (int o = 0; o < out; ++o)
      y[(size_t)s * out + o] = (float)acc[o];
  }
  free(acc);
}

static void layerNorm(float *x, int seq, const float *g, const float *b) {
  for (int s = 0; s < seq; ++s) {
    float *r = x + (size_t)s * D;
    double mean = 0, var = 0;
    for (int d = 0; d < D; ++d)
      mean += r[d];
    mean /= D;
    for (int d = 0; d < D; ++d)
      var += (r[d] - mean) * (r[d] - mean);
    var /= D;
    double rstd = 1.0 / sqrt(var + 1e-5);
    for (int d = 0; d < D; ++d)
      r[d] = (float)((r[d] - mean) * rstd * g[d] + b[d]);
  }
}

static void reference(const int64_t *ids, const int64_t *mask, int seq,
                      float *x) {
  for (int s = 0; s < seq; ++s) {
    int64_t id = ids[s] < 0 ? 0 : ids[s] > VOCAB - 1 ? VOCAB - 1 : ids[s];
    int pos = s < MAXPOS - 1 ? s : MAXPOS - 1;
    for (int d = 0; d < D; ++d)
      x[(size_t)s * D + d] = W.word[id * D + d] + W.pos[(size_t)pos * D + d];
  }
  layerNorm(x, seq, W.lng, W.lnb);
  size_t n = (size_t)seq * D;
  float *q = malloc(sizeof(float) * n), *k = malloc(sizeof(float) * n),
        *v = malloc(sizeof(float) * n), *ctx = malloc(sizeof(float) * n),
        *tmp = malloc(sizeof(float) * n),
        *ff = malloc(sizeof(float) * (size_t)seq * F);
  double *p = malloc(sizeof(double) * (size_t)seq);
  for (int l = 0; l < LAYERS; ++l) {
    Layer *L = &W.layer[l];
    linear(x, seq, D, D, L->wq, L->bq, q);
    linear(x, seq, D, D, L->wk, L->bk, k);
    linear(x, seq, D, D, L->wv, L->bv, v);
    for (int h = 0; h < H; ++h) {
      for (int i = 0; i < seq; ++i) {
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < seq; ++j) {
          double dot = 0;
          for (int d = 0; d < DH; ++d)
            dot += (double)q[(size_t)i * D + h * DH + d] *
                   k[(size_t)j * D + h * DH + d];
          p[j] = dot / 8.0 + (1.0 - (double)mask[j]) * -10000.0;
          mx = p[j] > mx ? p[j] : mx;
        }
        for (int j = 0; j < seq; ++j)
          sum += (p[j] = exp(p[j] - mx));
        for (int d = 0; d < DH; ++d) {
          double acc = 0;
          for (int j = 0; j < seq; ++j)
            acc += p[j] / sum * v[(size_t)j * D + h * DH + d];
          ctx[(size_t)i * D + h * DH + d] = (float)acc;
        }
      }
    }
    linear(ctx, seq, D, D, L->wo, L->bo, tmp);
    for (size_t i = 0; i < n; ++i)
      x[i] += tmp[i];
    layerNorm(x, seq, L->ln1g, L->ln1b);
    linear(x, seq, D, F, L->w1, L->b1, ff);
    for (size_t i = 0; i < (size_t)seq * F; ++i) {
      double a = ff[i];
      ff[i] = (float)(0.5 * a *
                      (1.0 +
                       tanh(0.7978845608028654 * (a + 0.044715 * a * a * a))));
    }
    linear(ff, seq, F, D, L->w2, L->b2, tmp);
    for (size_t i = 0; i < n; ++i)
      x[i] += tmp[i];
    layerNorm(x, seq, L->ln2g, L->ln2b);
  }
  free(q), free(k), free(v), free(ctx), free(tmp), free(ff), free(p);
}

// ---- Calling the compiled model --------------------------------------------
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Runs the model; returns a dense [seq][256] copy of the result (caller frees).
static float *run(const int64_t *ids, const int64_t *mask, int seq,
                  int *shapeOk) {
  MemRefI64x1 in = {(int64_t *)ids, (int64_t *)ids, 0, {seq}, {1}};
  MemRefI64x1 mk = {(int64_t *)mask, (int64_t *)mask, 0, {seq}, {1}};
  MemRefF32x2 out;
  memset(&out, 0, sizeof out);
  _mlir_ciface_forward(&out, &in, &mk);
  *shapeOk = out.sizes[0] == seq && out.sizes[1] == D;
  float *y = malloc(sizeof(float) * (size_t)seq * D);
  for (int s = 0; s < seq && *shapeOk; ++s)
    for (int d = 0; d < D; ++d)
      y[(size_t)s * D + d] =
          out.aligned[out.offset + s * out.strides[0] + d * out.strides[1]];
  free(out.allocated);
  return y;
}

static uint64_t hashBits(const float *y, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  const unsigned char *b = (const unsigned char *)y;
  for (size_t i = 0; i < n * sizeof(float); ++i) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static void testLength(int seq, int timing) {
  int masked = seq / 4, unmasked = seq - masked;
  int64_t *ids = malloc(sizeof(int64_t) * (size_t)seq);
  int64_t *mask = malloc(sizeof(int64_t) * (size_t)seq);
  for (int i = 0; i < seq; ++i) {
    ids[i] = (i * 37 + 11) % 1000;
    mask[i] = i < unmasked ? 1 : 0;
  }
  size_t n = (size_t)seq * D;
  int shapeOk;
  float *y = run(ids, mask, seq, &shapeOk);
  printf("seq %d (%d masked):\n", seq, masked);
  check(shapeOk, "result shape is [seq, 256]", seq);
  if (!shapeOk) {
    free(y), free(ids), free(mask);
    return;
  }

  // Finite values, checksum, a few values.
  int finite = 1;
  double sum = 0, sumAbs = 0;
  for (size_t i = 0; i < n; ++i) {
    finite &= isfinite(y[i]) != 0;
    sum += y[i];
    sumAbs += fabs(y[i]);
  }
  check(finite, "all outputs finite", seq);
  printf("  checksum: sum %.6f  sum|y| %.6f  bits %016llx\n", sum, sumAbs,
         (unsigned long long)hashBits(y, n));
  for (int s = 0; s < seq; s += seq - 1) {
    const float *row = y + (size_t)s * D;
    printf("  y[%3d][0..3] = %+.6f %+.6f %+.6f %+.6f\n", s, row[0], row[1],
           row[2], row[3]);
    if (seq == 1)
      break;
  }

  // Layer-norm sanity: rows of y itself (loose), and of (y - beta) / gamma of
  // the last LayerNorm (tight).
  const float *g = W.layer[LAYERS - 1].ln2g, *b = W.layer[LAYERS - 1].ln2b;
  double worstMean = 0, worstStd = 0, worstMeanN = 0, worstStdN = 0;
  for (int s = 0; s < seq; ++s) {
    double m = 0, m2 = 0, mn = 0, m2n = 0;
    for (int d = 0; d < D; ++d) {
      double v = y[(size_t)s * D + d], z = (v - b[d]) / g[d];
      m += v, m2 += v * v, mn += z, m2n += z * z;
    }
    m /= D, m2 /= D, mn /= D, m2n /= D;
    double sd = sqrt(m2 - m * m), sdn = sqrt(m2n - mn * mn);
    worstMean = fmax(worstMean, fabs(m));
    worstStd = fmax(worstStd, fabs(sd - 1));
    worstMeanN = fmax(worstMeanN, fabs(mn));
    worstStdN = fmax(worstStdN, fabs(sdn - 1));
  }
  printf("  rows of y: max|mean| %.2e  max|std-1| %.2e;  before gamma/beta: "
         "max|mean| %.2e  max|std-1| %.2e\n",
         worstMean, worstStd, worstMeanN, worstStdN);
  check(worstMean < 0.1 && worstStd < 0.15, "rows of y have mean ~0, std ~1",
        seq);
  check(worstMeanN < 1e-4 && worstStdN < 1e-3,
        "rows of (y - beta) / gamma have mean 0, std 1", seq);

  // C reference.
  float *ref = malloc(sizeof(float) * n);
  reference(ids, mask, seq, ref);
  double maxDiff = 0;
  for (size_t i = 0; i < n; ++i)
    maxDiff = fmax(maxDiff, fabs((double)y[i] - ref[i]));
  printf("  max |y - reference| = %.3e\n", maxDiff);
  check(maxDiff < 1e-3, "matches the C reference (max abs diff < 1e-3)", seq);
  free(ref);

  // Masked positions: changing their ids must not change unmasked rows.
  if (masked > 0) {
    int64_t *ids2 = malloc(sizeof(int64_t) * (size_t)seq);
    for (int i = 0; i < seq; ++i)
      ids2[i] = i < unmasked ? ids[i] : (ids[i] * 7 + 123) % 1000;
    float *y2 = run(ids2, mask, seq, &shapeOk);
    int same = memcmp(y, y2, sizeof(float) * (size_t)unmasked * D) == 0;
    int differs = memcmp(y + (size_t)unmasked * D, y2 + (size_t)unmasked * D,
                         sizeof(float) * (size_t)masked * D) != 0;
    printf("  masked ids changed: unmasked rows %s, masked rows %s\n",
           same ? "bit-identical" : "CHANGED",
           differs ? "changed" : "unchanged");
    check(same, "unmasked rows independent of ids at masked positions", seq);
    check(differs, "masked rows depend on their ids", seq);
    free(y2), free(ids2);
  }

  // Out-of-range ids behave as the clamped ids.
  {
    int64_t *bad = malloc(sizeof(int64_t) * (size_t)seq);
    int64_t *clamped = malloc(sizeof(int64_t) * (size_t)seq);
    for (int i = 0; i < seq; ++i) {
      int64_t v = i % 3 == 0   ? -5 - i
                  : i % 3 == 1 ? 1000 + 97 * (int64_t)i
                               : ids[i];
      if (i == 0)
        v = INT64_MIN;
      if (i == seq - 1 && seq > 1)
        v = INT64_MAX;
      bad[i] = v;
      clamped[i] = v < 0 ? 0 : v > 999 ? 999 : v;
    }
    int ok1, ok2;
    float *yb = run(bad, mask, seq, &ok1), *yc = run(clamped, mask, seq, &ok2);
    check(ok1 && ok2 && memcmp(yb, yc, sizeof(float) * n) == 0,
          "out-of-range ids give the same output as clamped ids", seq);
    free(yb), free(yc), free(bad), free(clamped);
  }

  // Determinism and timing.
  int reps = timing ? (seq >= 256 ? 3 : 5) : 1;
  int deterministic = 1;
  double t0 = now();
  for (int r = 0; r < reps; ++r) {
    float *y3 = run(ids, mask, seq, &shapeOk);
    deterministic &= memcmp(y, y3, sizeof(float) * n) == 0;
    free(y3);
  }
  double per = (now() - t0) / reps;
  check(deterministic, "repeated calls are bit-identical", seq);
  if (timing)
    printf("  time per call: %.1f ms (mean of %d)\n", per * 1e3, reps);

  free(y), free(ids), free(mask);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--quick") != 0)) {
    fprintf(stderr, "usage: %s <encoder.mlir.in> [--quick]\n", argv[0]);
    return 2;
  }
  int quick = argc == 3;
  readTemplate(argv[1]);
  loadWeights();
  static const int full[] = {1, 7, 64, 300}, fast[] = {1, 7};
  const int *lengths = quick ? fast : full;
  int count = quick ? 2 : 4;
  for (int i = 0; i < count; ++i)
    testLength(lengths[i], !quick && lengths[i] >= 64);
  freeWeights();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
