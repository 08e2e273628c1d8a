// "No heap allocation per event on the field-level path": counted, not
// assumed. This binary replaces the global operator new, which the shared
// library's own allocations resolve to, and counts calls while evaluating.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "c2sieve.h"

namespace {
std::atomic<long> g_allocations{0};
}

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

struct Fields {
  std::vector<std::string> text;
  std::vector<c2s_value> values;
};

Fields MakeFields(c2s_engine* e, const char* domain, const char* exe) {
  Fields f;
  const char* names[] = {"event.category", "host.os.type", "dns.question.name",
                         "process.name", "process.executable", "user.id"};
  f.text = {"network", "windows", domain, "x.exe", exe, "S-1-5-21-1-2-3-1001"};
  for (size_t i = 0; i < f.text.size(); ++i)
    f.values.push_back(c2s_value{c2s_engine_field_index(e, names[i]), C2S_VALUE_STRING,
                                 f.text[i].data(), f.text[i].size(), {}});
  return f;
}

TEST(NoAllocation, FieldLevelPathAllocatesNothingPerEvent) {
  c2s_engine* e = nullptr;
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  std::vector<Fields> events = {
      MakeFields(e, "www.example.com", "C:\\Users\\Public\\x.exe"),   // unlisted
      MakeFields(e, "pastebin.com", "C:\\Users\\Public\\x.exe"),      // match
      MakeFields(e, "X.NGROK.IO", "C:\\Program Files\\x.exe"),        // excluded
      MakeFields(e, "a.portmap.io", "C:\\Temp\\x.exe"),               // match, inner literal
  };
  // The copies above moved the strings: point the views at them again.
  for (auto& f : events)
    for (size_t i = 0; i < f.values.size(); ++i) f.values[i].data = f.text[i].data();
  size_t n = 0, matched = 0;
  for (int warm = 0; warm < 3; ++warm)
    for (auto& f : events) c2s_eval_fields(s, f.values.data(), f.values.size(), &n);
  long before = g_allocations.load();
  for (int round = 0; round < 1000; ++round) {
    for (auto& f : events) {
      ASSERT_EQ(c2s_eval_fields(s, f.values.data(), f.values.size(), &n), C2S_OK);
      matched += n;
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(matched, 2000u);
  c2s_session_free(s);
  c2s_engine_free(e);
}

TEST(NoAllocation, JsonPassThroughAllocatesNothingPerEvent) {
  c2s_engine* e = nullptr;
  c2s_session* s = nullptr;
  ASSERT_EQ(c2s_engine_create_default(&e), C2S_OK);
  ASSERT_EQ(c2s_session_create(e, &s), C2S_OK);
  std::string ev =
      R"({"event":{"category":["network"]},"host":{"os":{"type":"windows"}},)"
      R"("dns":{"question":{"name":"www.example.com"}},"process":{"name":"a.exe"},"message":")" +
      std::string(600, 'x') + "\"}";
  c2s_output out;
  for (int warm = 0; warm < 3; ++warm) c2s_eval_json(s, ev.data(), ev.size(), &out);
  long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(c2s_eval_json(s, ev.data(), ev.size(), &out), C2S_OK);
    ASSERT_EQ(out.data, ev.data());
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  c2s_session_free(s);
  c2s_engine_free(e);
}

}  // namespace
