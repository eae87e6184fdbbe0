//===- generate.cpp - Greedy generation with the example decoder ----------===//
//
// Runs the example decoder (examples/decoder, compiled with its buckets) the
// way a text generator does: for each prompt, one call of `prefill` (bucketed
// on the prompt length) and then `decode` once per new token (bucketed on the
// cache length), the next token being the argmax of the logits. One KV cache
// of the declared capacity is allocated once and passed to every call as
// the state argument and its tied result.
//
// The prompt lengths come from a histogram (`length,count`, as in
// shared/data/shapes/): `--prompts N` prompts at evenly spaced quantiles of
// the distribution, each truncated to leave room for the new tokens. Token
// ids are synthetic (the weights are random).
//
//   bucket-decoder-generate [--csv hist.csv] [--prompts 32] [--new-tokens 64]
//
// Prints the tokens per second of the whole run (prefill included) and of
// the decode steps alone.
//
//===----------------------------------------------------------------------===//

#include "decoder_bucketed.h"
#include "prompts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr int64_t kLayers = 2, kHeads = 4, kCapacity = 1024, kHeadDim = 64;
constexpr int64_t kVocab = 2048;

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void check(bucket_status_t status, const char *what) {
  if (!status)
    return;
  std::fprintf(stderr, "generate: %s: %s\n", what,
               bucket_status_message(status));
  std::exit(1);
}

bucket_tensor_t tensor(void *data, bucket_element_type_t type,
                       std::vector<int64_t> shape) {
  bucket_tensor_t t;
  check(bucket_tensor_init(data, type, static_cast<int32_t>(shape.size()),
                           shape.data(), &t),
        "tensor");
  return t;
}

/// `count` prompt lengths at evenly spaced quantiles of the histogram.
std::vector<int64_t> promptLengths(const std::string &path, int count,
                                   int64_t maxLength) {
  std::map<int64_t, int64_t> hist =
      decoder::readLengthHistogram(path, maxLength);
  if (hist.empty()) {
    std::fprintf(stderr, "generate: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return decoder::quantileLengths(hist, count);
}

int64_t argmax(const std::vector<float> &logits) {
  return std::max_element(logits.begin(), logits.end()) - logits.begin();
}

} // namespace

int main(int argc, char **argv) {
  std::string csv = BUCKET_DECODER_DEFAULT_CSV;
  int prompts = 32;
  int64_t newTokens = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--csv"))
      csv = argv[i + 1];
    else if (!std::strcmp(argv[i], "--prompts"))
      prompts = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--new-tokens"))
      newTokens = std::atoll(argv[i + 1]);
  }
  if (newTokens < 1 || newTokens >= kCapacity || prompts < 1) {
    std::fprintf(stderr, "generate: need 0 < --new-tokens < %lld\n",
                 (long long)kCapacity);
    return 2;
  }
  std::vector<int64_t> lengths =
      promptLengths(csv, prompts, kCapacity - newTokens);

  std::vector<float> cache(kLayers * 2 * kHeads * kCapacity * kHeadDim);
  std::vector<float> logits(kVocab);
  std::vector<int64_t> ids(kCapacity), positions(kCapacity);
  for (int64_t i = 0; i < kCapacity; ++i)
    positions[i] = i;
  bucket_tensor_t cacheT = tensor(cache.data(), BUCKET_ELEMENT_F32,
                                  {kLayers, 2, kHeads, kCapacity, kHeadDim});
  bucket_tensor_t logitsT = tensor(logits.data(), BUCKET_ELEMENT_F32, {kVocab});

  double start = now(), decodeTime = 0;
  int64_t generated = 0, promptTokens = 0;
  uint64_t checksum = 0;
  for (int64_t prompt : lengths) {
    for (int64_t i = 0; i < prompt; ++i)
      ids[i] = (i * 37 + prompt) % kVocab;
    bucket_tensor_t idsT = tensor(ids.data(), BUCKET_ELEMENT_I64, {prompt});
    bucket_tensor_t cacheOut = cacheT; // the state, in and out
    check(bucketed_prefill_call(&idsT, &cacheT, &logitsT, &cacheOut),
          "prefill");
    promptTokens += prompt;
    double t0 = now();
    for (int64_t len = prompt + 1; len <= prompt + newTokens; ++len) {
      int64_t token = argmax(logits);
      checksum = checksum * 31 + token;
      bucket_tensor_t idT = tensor(&token, BUCKET_ELEMENT_I64, {1});
      bucket_tensor_t posT =
          tensor(positions.data(), BUCKET_ELEMENT_I64, {len});
      check(bucketed_decode_call(&idT, &cacheT, &posT, &logitsT, &cacheOut),
            "decode");
      ++generated;
    }
    decodeTime += now() - t0;
  }
  double total = now() - start;
  std::printf("prompts: %zu from %s (mean %.1f tokens), %lld new tokens "
              "each\n",
              lengths.size(), csv.c_str(),
              double(promptTokens) / lengths.size(), (long long)newTokens);
  std::printf("generated %lld tokens in %.3f s: %.1f tokens/s (prefill "
              "included), %.1f tokens/s in decode\n",
              (long long)generated, total, generated / total,
              generated / decodeTime);
  std::printf("token checksum: %016llx\n", (unsigned long long)checksum);
  return 0;
}
