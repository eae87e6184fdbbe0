/* model-export-open.c: opens a model library by path with bucket_model_open
 * (or bucket_model_open_named), prints what its exported table describes and
 * calls a function by name, with no generated header (model-export.test).
 *
 *   model-export-open LIB [--name MODEL] [--call FUNCTION BATCH]...
 */
#include "model-export-print.h"

#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s LIB [--name MODEL] [--call FN BATCH]...\n",
            argv[0]);
    return 2;
  }
  int first = 2;
  const char *name = NULL;
  if (argc > 3 && !strcmp(argv[2], "--name")) {
    name = argv[3];
    first = 4;
  }
  bucket_model_t *model = NULL;
  if (report("open", name ? bucket_model_open_named(argv[1], name, &model)
                          : bucket_model_open(argv[1], &model)))
    return 1;
  print_model(model);
  int failed = 0;
  for (int i = first; i + 2 < argc && !strcmp(argv[i], "--call"); i += 3)
    failed |= call_rows(model, argv[i + 1], atoll(argv[i + 2]));
  bucket_model_release(model);
  return failed;
}
