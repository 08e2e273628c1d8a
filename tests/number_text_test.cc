// Numbers in events are matched as keyword text; the portable formatter (used
// where the C++ library lacks to_chars(double)) must write exactly what
// std::to_chars writes, so that a verdict never depends on the build.
#include "util/number_text.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace {

std::string Portable(double v) {
  char buf[64];
  char* end = c2s::util::ShortestDoubleTextPortable(buf, buf + sizeof buf, v);
  return end ? std::string(buf, end) : "<overflow>";
}

std::string Reference(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

TEST(NumberText, KnownForms) {
  EXPECT_EQ(Portable(0.0), "0");
  EXPECT_EQ(Portable(-0.0), "-0");
  EXPECT_EQ(Portable(100.0), "100");
  EXPECT_EQ(Portable(0.1), "0.1");
  EXPECT_EQ(Portable(1e22), "1e+22");
  EXPECT_EQ(Portable(1.5e-7), "1.5e-07");
  EXPECT_EQ(Portable(123456.789), "123456.789");
  EXPECT_EQ(Portable(std::numeric_limits<double>::infinity()), "inf");
}

TEST(NumberText, PortableEqualsToChars) {
  const double edges[] = {
      0.0, -0.0, 1.0, -1.0, 10.0, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23,
      123456789012345680000.0, 0.001, 0.0001, 0.00001, 1e-7, 5e-324,
      2.2250738585072014e-308, 1.7976931348623157e308, 0.30000000000000004,
      9007199254740993.0, 4.35, 1234.5, 1e5, 12e4, 3.14159265358979};
  for (double v : edges) {
    EXPECT_EQ(Portable(v), Reference(v)) << v;
    EXPECT_EQ(Portable(-v), Reference(-v)) << -v;
  }
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isnan(v) || std::isinf(v)) continue;
    ASSERT_EQ(Portable(v), Reference(v)) << "bits " << bits;
  }
  // Human-scale numbers: integers and short decimals, as events carry them.
  std::uniform_int_distribution<int64_t> ints(-100000000, 100000000);
  for (int i = 0; i < 100000; ++i) {
    double v = static_cast<double>(ints(rng)) / std::pow(10.0, i % 9);
    ASSERT_EQ(Portable(v), Reference(v)) << v;
  }
}

TEST(NumberText, SmallBufferRefused) {
  char buf[3];
  EXPECT_EQ(c2s::util::ShortestDoubleTextPortable(buf, buf + sizeof buf, 123456.5), nullptr);
}

}  // namespace
