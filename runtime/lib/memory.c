/*===- memory.c - The per-thread cache of generated buffers -------*- C -*-===*
 *
 * A static bucket allocates the same buffer sizes on every call (its arena
 * of intermediate buffers, its results). Without a cache the megabyte-sized
 * ones go to mmap and come back as fresh zeroed pages each time, and page
 * faults are a sizable share of a call. Each thread keeps a few freed large
 * blocks and hands them out again for requests that fit; they are released
 * when the thread exits. Blocks are plain malloc memory.
 *
 * The cache needs malloc_usable_size to learn a freed block's size, so it
 * exists on glibc only; elsewhere nothing is cached.
 *===----------------------------------------------------------------------===*/

/* malloc_usable_size (glibc) and POSIX threads. */
#define _GNU_SOURCE 1

#include "internal.h"

#include <stdlib.h>

#ifdef __GLIBC__
#include <malloc.h>
#include <pthread.h>

enum { CACHE_SLOTS = 16, CACHE_MIN_BYTES = 64 * 1024 };

typedef struct buffer_cache_t {
  void *ptr[CACHE_SLOTS];
  size_t size[CACHE_SLOTS];
} buffer_cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_destroy(void *p) {
  buffer_cache_t *cache = (buffer_cache_t *)p;
  for (int i = 0; i < CACHE_SLOTS; ++i)
    free(cache->ptr[i]);
  free(cache);
}

static void cache_key_init(void) {
  pthread_key_create(&cache_key, cache_destroy);
}

/* The calling thread's cache; NULL if it has none and `create` is 0, or if
 * creating one fails. */
static buffer_cache_t *thread_cache(int create) {
  pthread_once(&cache_once, cache_key_init);
  buffer_cache_t *cache = (buffer_cache_t *)pthread_getspecific(cache_key);
  if (!cache && create) {
    cache = (buffer_cache_t *)calloc(1, sizeof(buffer_cache_t));
    if (cache && pthread_setspecific(cache_key, cache)) {
      free(cache);
      cache = NULL;
    }
  }
  return cache;
}

void *bucket_cache_take(size_t size, size_t alignment) {
  if (size < CACHE_MIN_BYTES)
    return NULL;
  buffer_cache_t *cache = thread_cache(0);
  if (!cache)
    return NULL;
  /* The block with the least waste, at most twice the size. */
  int best = -1;
  for (int i = 0; i < CACHE_SLOTS; ++i)
    if (cache->ptr[i] && cache->size[i] >= size && cache->size[i] / 2 <= size &&
        (uintptr_t)cache->ptr[i] % alignment == 0 &&
        (best < 0 || cache->size[i] < cache->size[best]))
      best = i;
  if (best < 0)
    return NULL;
  void *ptr = cache->ptr[best];
  cache->ptr[best] = NULL;
  return ptr;
}

void bucket_cache_release(void *ptr) {
  size_t size = malloc_usable_size(ptr);
  buffer_cache_t *cache = size >= CACHE_MIN_BYTES ? thread_cache(1) : NULL;
  if (!cache) {
    free(ptr);
    return;
  }
  /* An empty slot, else evict the smallest block if this one is larger. */
  int slot = -1;
  for (int i = 0; i < CACHE_SLOTS && slot < 0; ++i)
    if (!cache->ptr[i])
      slot = i;
  if (slot < 0) {
    slot = 0;
    for (int i = 1; i < CACHE_SLOTS; ++i)
      if (cache->size[i] < cache->size[slot])
        slot = i;
    if (cache->size[slot] >= size) {
      free(ptr);
      return;
    }
    free(cache->ptr[slot]);
  }
  cache->ptr[slot] = ptr;
  cache->size[slot] = size;
}

#else /* !__GLIBC__ */

void *bucket_cache_take(size_t size, size_t alignment) {
  (void)size;
  (void)alignment;
  return NULL;
}

void bucket_cache_release(void *ptr) { free(ptr); }

#endif /* __GLIBC__ */
