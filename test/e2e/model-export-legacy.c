/* model-export-legacy.c: how earlier versions exported a model's table, a C
 * file that defines BUCKET_DEFINE_MODEL_EXPORT before including the generated
 * header. The object exports the table itself now: this file must still
 * compile, and link with the object without duplicate symbols
 * (model-export-two.test). */
#define BUCKET_DEFINE_MODEL_EXPORT
#include "a.h"

/* Something to compile besides the header: the header's own table. */
const bucket_model_info_t *legacy_model_info(void) { return &a_model; }
