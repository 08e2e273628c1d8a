/* Compiled as C99 with -pedantic-errors: proves c2sieve.h is plain C and
 * walks the basic lifecycle a C host would use. Exit status 0 on success. */
#include <stdio.h>
#include <string.h>

#include "c2sieve.h"

#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, \
              __LINE__, #cond, c2s_last_error());                \
      return 1;                                                  \
    }                                                            \
  } while (0)

int main(void) {
  static const char event[] =
      "{\"event\":{\"category\":\"network\"},\"host\":{\"os\":{\"type\":"
      "\"windows\"}},\"dns\":{\"question\":{\"name\":\"api.telegram.org\"}},"
      "\"process\":{\"name\":\"x.exe\",\"executable\":\"C:\\\\Temp\\\\x.exe\"}}";
  c2s_engine *engine = NULL;
  c2s_session *session = NULL;
  c2s_output out;
  c2s_value values[4];
  size_t matched = 0;
  c2s_match match;

  /* One version: CMake's project() -> the header's macros -> the library. */
  CHECK(strcmp(c2s_version(), C2S_PROJECT_VERSION) == 0);
  CHECK(strcmp(C2S_VERSION_STRING, C2S_PROJECT_VERSION) == 0);
  CHECK(c2s_version_number() == C2S_VERSION_NUMBER);
  CHECK(c2s_engine_create_default(&engine) == C2S_OK);
  CHECK(c2s_session_create(engine, &session) == C2S_OK);

  CHECK(c2s_eval_json(session, event, sizeof event - 1, &out) == C2S_OK);
  CHECK(out.enriched == 1 && out.matched_rules == 1);
  CHECK(strstr(out.data, "\"rule\":{\"id\":\"66883649") != NULL);

  values[0].field = c2s_engine_field_index(engine, "event.category");
  values[1].field = c2s_engine_field_index(engine, "host.os.type");
  values[2].field = c2s_engine_field_index(engine, "dns.question.name");
  values[3].field = c2s_engine_field_index(engine, "process.name");
  values[0].data = "network";
  values[1].data = "windows";
  values[2].data = "transfer.sh";
  values[3].data = "x.exe";
  {
    int i;
    for (i = 0; i < 4; ++i) {
      CHECK(values[i].field >= 0);
      values[i].type = C2S_VALUE_STRING;
      values[i].size = strlen(values[i].data);
    }
  }
  CHECK(c2s_eval_fields(session, values, 4, &matched) == C2S_OK);
  CHECK(matched == 1);
  CHECK(c2s_session_match(session, 0, &match) == C2S_OK);
  CHECK(strcmp(match.pattern, "transfer.sh") == 0);

  c2s_session_free(session);
  c2s_engine_free(engine);
  printf("c ABI test: 1 passed, 0 failed\n");
  return 0;
}
