/* model-export-linked.c: two model objects linked into one program (no
 * duplicate symbols), each opened through the table its object exports,
 * `<model>_model_export`, with bucket_model_wrap; and the weak
 * `bucket_model_export` resolved to the first object linked
 * (model-export-two.test, model-export-cross.test). */
#include "model-export-print.h"

extern const bucket_model_export_t a_model_export;
extern const bucket_model_export_t b_model_export;
extern const bucket_model_export_t bucket_model_export;

static int run(const bucket_model_export_t *exported, const char *function) {
  bucket_model_t *model = NULL;
  if (report("wrap", bucket_model_wrap(exported, &model)))
    return 1;
  print_model(model);
  int failed = call_rows(model, function, 3);
  bucket_model_release(model);
  return failed;
}

int main(void) {
  int failed = run(&a_model_export, "a_scale_rows");
  failed |= run(&b_model_export, "b_scale_rows");
  /* By name: a compiler may fold the comparison of two distinct globals'
   * addresses to false. */
  printf("bucket_model_export is %s's\n", bucket_model_export.name);
  return failed;
}
