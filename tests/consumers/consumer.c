/* A program built against an *installed* c2sieve, the way a user's would
 * be: tests/consumers/cmake (find_package) and pkg-config build this same
 * file. It tags NDJSON from stdin to stdout with the built-in rules, like
 * `c2sieve scan --quiet`, so the install test can compare the two; it
 * exits 1 if the library it runs against is not the one it was compiled
 * for. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <c2sieve.h>

int main(void) {
  c2s_engine *engine = NULL;
  c2s_session *session = NULL;
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  int status = 0;

  if (c2s_version_number() != C2S_VERSION_NUMBER ||
      strcmp(c2s_version(), C2S_VERSION_STRING) != 0) {
    fprintf(stderr, "consumer: compiled for c2sieve %s, running %s\n", C2S_VERSION_STRING,
            c2s_version());
    return 1;
  }
  if (c2s_engine_create_default(&engine) != C2S_OK ||
      c2s_session_create(engine, &session) != C2S_OK) {
    fprintf(stderr, "consumer: %s\n", c2s_last_error());
    return 1;
  }
  while ((length = getline(&line, &capacity, stdin)) > 0) {
    c2s_output out;
    if (line[length - 1] == '\n') --length;
    /* A malformed line comes back unchanged, as the ABI promises. */
    c2s_eval_json(session, line, (size_t)length, &out);
    if (fwrite(out.data, 1, out.size, stdout) != out.size || putchar('\n') == EOF) {
      status = 1;
      break;
    }
  }
  free(line);
  c2s_session_free(session);
  c2s_engine_free(engine);
  fprintf(stderr, "consumer: c2sieve %s\n", c2s_version());
  return status;
}
