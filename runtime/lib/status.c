/*===- status.c - Statuses and their messages ---------------------*- C -*-===*
 *
 * bucket_status_t: a code and a message in one allocation, and the bounded
 * text buffer the other files build messages in.
 *===----------------------------------------------------------------------===*/

#include "internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct bucket_status_impl_t {
  bucket_status_code_t code;
  const char *message; /* Points just past the struct, or at a literal. */
};

/* Returned when a status itself cannot be allocated; never freed. */
static struct bucket_status_impl_t out_of_memory_status = {
    BUCKET_STATUS_RESOURCE_EXHAUSTED, "out of memory while reporting an error"};

bucket_status_t bucket_status_make(bucket_status_code_t code,
                                   const char *format, ...) {
  /* A non-NULL status must never read as success, or callers that test
   * `if (status)` and callers that test the code would disagree. */
  if ((int)code <= (int)BUCKET_STATUS_OK ||
      (int)code > (int)BUCKET_STATUS_INCOMPATIBLE)
    code = BUCKET_STATUS_INTERNAL;
  if (!format)
    format = "";

  va_list ap, ap_copy;
  va_start(ap, format);
  va_copy(ap_copy, ap);
  int length = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (length < 0)
    length = 0; /* Encoding error: keep the code, drop the message. */

  struct bucket_status_impl_t *status =
      malloc(sizeof(*status) + (size_t)length + 1);
  if (!status) {
    va_end(ap_copy);
    return &out_of_memory_status;
  }
  char *text = (char *)(status + 1);
  if (vsnprintf(text, (size_t)length + 1, format, ap_copy) < 0)
    text[0] = '\0';
  va_end(ap_copy);
  status->code = code;
  status->message = text;
  return status;
}

bucket_status_code_t bucket_status_code(bucket_status_t status) {
  return status ? status->code : BUCKET_STATUS_OK;
}

const char *bucket_status_message(bucket_status_t status) {
  return status ? status->message : "";
}

const char *bucket_status_code_name(bucket_status_code_t code) {
  /* No default label, so the compiler flags a newly added code. */
  switch (code) {
  case BUCKET_STATUS_OK:
    return "OK";
  case BUCKET_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case BUCKET_STATUS_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case BUCKET_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case BUCKET_STATUS_INTERNAL:
    return "INTERNAL";
  case BUCKET_STATUS_INCOMPATIBLE:
    return "INCOMPATIBLE";
  }
  return "UNKNOWN";
}

void bucket_status_free(bucket_status_t status) {
  if (status && status != &out_of_memory_status)
    free(status);
}

void bucket_text_append(bucket_text_t *buffer, const char *format, ...) {
  size_t room = sizeof(buffer->text) - buffer->length;
  if (room <= 1)
    return;
  va_list ap;
  va_start(ap, format);
  int written = vsnprintf(buffer->text + buffer->length, room, format, ap);
  va_end(ap);
  if (written > 0)
    buffer->length += (size_t)written < room ? (size_t)written : room - 1;
}

void bucket_text_shape(bucket_text_t *buffer, const int64_t *shape,
                       int32_t rank) {
  bucket_text_append(buffer, "[");
  for (int32_t d = 0; d < rank; ++d)
    bucket_text_append(buffer, "%s%" PRId64, d ? ", " : "", shape[d]);
  bucket_text_append(buffer, "]");
}
