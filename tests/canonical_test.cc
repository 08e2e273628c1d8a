// The canonical forms, one function at a time.
#include "event/canonical.h"

#include <gtest/gtest.h>

namespace c2s::event {
namespace {

std::string Path(std::string_view in) {
  std::string buf;
  return std::string(CanonicalPath(in, &buf));
}

TEST(CanonicalPath, AlreadyCanonicalPathsAreReturnedAsIs) {
  std::string buf;
  std::string_view in = "C:\\Program Files\\x.exe";
  EXPECT_EQ(CanonicalPath(in, &buf).data(), in.data());
  std::string_view dotfile = "C:\\Users\\a\\.config\\...\\x.exe";
  EXPECT_EQ(CanonicalPath(dotfile, &buf).data(), dotfile.data());
}

// Linux paths: "/" stays the separator, dot segments and repeated slashes
// resolve, case never changes.
TEST(CanonicalPath, PosixPaths) {
  std::string buf;
  std::string_view in = "/usr/bin/dockerd";
  EXPECT_EQ(CanonicalPath(in, &buf).data(), in.data());
  EXPECT_EQ(Path("/USR/bin/dockerd"), "/USR/bin/dockerd");
  EXPECT_EQ(Path("/usr//bin/./dockerd"), "/usr/bin/dockerd");
  EXPECT_EQ(Path("/usr/lib/../bin/dockerd"), "/usr/bin/dockerd");
  EXPECT_EQ(Path("/../../usr/bin/x"), "/usr/bin/x");
  EXPECT_EQ(Path("/opt/app/"), "/opt/app/");
  EXPECT_EQ(Path("/opt//app//"), "/opt/app/");
  EXPECT_EQ(Path("/"), "/");
  EXPECT_EQ(Path("//"), "/");
  EXPECT_EQ(Path("/a/.hidden/..x/x.."), "/a/.hidden/..x/x..");
  // A backslash anywhere: a Windows path written with a leading slash.
  EXPECT_EQ(Path("/C:\\x"), Path("\\C:\\x"));
}

TEST(CanonicalPath, NamespacePrefixes) {
  EXPECT_EQ(Path("\\\\?\\C:\\Program Files\\x.exe"), "C:\\Program Files\\x.exe");
  EXPECT_EQ(Path("\\??\\C:\\Program Files\\x.exe"), "C:\\Program Files\\x.exe");
  EXPECT_EQ(Path("\\\\.\\C:\\Program Files\\x.exe"), "C:\\Program Files\\x.exe");
  EXPECT_EQ(Path("\\\\?\\UNC\\srv\\share\\x.exe"), "\\\\srv\\share\\x.exe");
  EXPECT_EQ(Path("\\\\srv\\share\\x.exe"), "\\\\srv\\share\\x.exe");
}

TEST(CanonicalPath, DeviceVolumesBecomeSomeDrive) {
  EXPECT_EQ(Path("\\Device\\HarddiskVolume3\\Program Files\\x.exe"), "?:\\Program Files\\x.exe");
  EXPECT_EQ(Path("\\device\\harddiskvolume12\\Windows\\System32\\svchost.exe"),
            "?:\\Windows\\System32\\svchost.exe");
  // Not a volume number: left alone but for separators.
  EXPECT_EQ(Path("\\Device\\HarddiskVolumeX\\a.exe"), "\\Device\\HarddiskVolumeX\\a.exe");
}

TEST(CanonicalPath, SeparatorsAndDotSegments) {
  EXPECT_EQ(Path("C:/Program Files/x.exe"), "C:\\Program Files\\x.exe");
  EXPECT_EQ(Path("C:\\\\Program Files\\\\\\x.exe"), "C:\\Program Files\\x.exe");
  EXPECT_EQ(Path("C:\\a\\.\\b\\..\\c.exe"), "C:\\a\\c.exe");
  EXPECT_EQ(Path("C:\\Program Files\\..\\Users\\Public\\evil.exe"), "C:\\Users\\Public\\evil.exe");
  EXPECT_EQ(Path("C:\\..\\..\\Windows\\x.exe"), "C:\\Windows\\x.exe");  // never above the drive
  EXPECT_EQ(Path("\\\\srv\\share\\..\\..\\x.exe"), "\\\\srv\\share\\x.exe");
  EXPECT_EQ(Path("\\\\?\\C:\\Program Files\\..\\Temp\\x.exe"), "C:\\Temp\\x.exe");
}

TEST(CanonicalPath, WhatIsNeverChanged) {
  // Trailing spaces and dots name a different directory when created
  // through \\?\; 8.3 names and case are kept.
  EXPECT_EQ(Path("C:\\Program Files \\evil.exe"), "C:\\Program Files \\evil.exe");
  EXPECT_EQ(Path("C:/Program Files./evil.exe"), "C:\\Program Files.\\evil.exe");
  EXPECT_EQ(Path("C:/PROGRA~1/evil.exe"), "C:\\PROGRA~1\\evil.exe");
  EXPECT_EQ(Path("C:/Program Files (Arm)/x.exe"), "C:\\Program Files (Arm)\\x.exe");
}

std::string Domain(std::string_view in) {
  std::string buf;
  return std::string(CanonicalDomain(in, &buf));
}

TEST(CanonicalDomain, TrimRootDotAndCase) {
  EXPECT_EQ(Domain("pastebin.com"), "pastebin.com");
  EXPECT_EQ(Domain("  PasteBin.COM.\t"), "pastebin.com");
  EXPECT_EQ(Domain("pastebin.com."), "pastebin.com");
  EXPECT_EQ(Domain("pastebin.com.."), "pastebin.com.");  // only the root dot
  EXPECT_EQ(Domain("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(Domain("."), ".");
  EXPECT_EQ(Domain(""), "");
}

TEST(DomainToAscii, Uts46FormsByLibidn2) {
  std::string out;
  ASSERT_TRUE(DomainToAscii("b\xc3\xbc" "cher.ngrok.io", false, &out));
  EXPECT_EQ(out, "xn--bcher-kva.ngrok.io");
  ASSERT_TRUE(DomainToAscii("B\xc3\x9c" "CHER.NGROK.io", false, &out));  // case mapped
  EXPECT_EQ(out, "xn--bcher-kva.ngrok.io");
  ASSERT_TRUE(DomainToAscii("bu\xcc\x88" "cher.ngrok.io", false, &out));  // NFD -> NFC
  EXPECT_EQ(out, "xn--bcher-kva.ngrok.io");
  ASSERT_TRUE(DomainToAscii("\xef\xbd\x81\xef\xbd\x90\xef\xbd\x89.telegram.org", false, &out));
  EXPECT_EQ(out, "api.telegram.org");  // full-width
  ASSERT_TRUE(DomainToAscii("api\xe3\x80\x82telegram\xe3\x80\x82org\xe3\x80\x82", false, &out));
  EXPECT_EQ(out, "api.telegram.org");  // ideographic full stops, root dot dropped
  // Transitional and non-transitional differ on sharp s.
  ASSERT_TRUE(DomainToAscii("ex\xc3\x9f.com", false, &out));
  EXPECT_EQ(out, "xn--ex-hia.com");
  ASSERT_TRUE(DomainToAscii("ex\xc3\x9f.com", true, &out));
  EXPECT_EQ(out, "exss.com");
  EXPECT_FALSE(DomainToAscii("bad\xff.com", false, &out));
  // Found by fuzz_canonical: the result was URL-reduced a second time, so
  // "%33" decoded once to "3" and the "%c3" it formed decoded again into a
  // non-ASCII byte. %XX is decoded once, and ToASCII output is ASCII.
  std::string buf;
  std::string once(CanonicalDomain("\\%C%333.example", &buf));
  EXPECT_EQ(once, "\\%c33.example");
  for (bool transitional : {false, true}) {
    if (DomainToAscii(once, transitional, &out)) {
      for (char c : out) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << out;
    }
  }
  EXPECT_FALSE(DomainToAscii(std::string("a\0b.com", 7), false, &out));
}

TEST(CanonicalDomain, UrlShapedValuesReduceToTheirHost) {
  std::string buf;
  auto host = [&](std::string_view v) { return std::string(CanonicalDomain(v, &buf)); };
  EXPECT_EQ(host("https://Pastebin.com/raw/x"), "pastebin.com");
  EXPECT_EQ(host("http://user:pw@pastebin.com:8080/?q#f"), "pastebin.com");
  EXPECT_EQ(host("pastebin.com:443"), "pastebin.com");
  EXPECT_EQ(host("pastebin%2ecom"), "pastebin.com");
  EXPECT_EQ(host("pastebin%2Ecom."), "pastebin.com");
  EXPECT_EQ(host("[2001:db8::1]:443"), "[2001:db8::1]");
  EXPECT_EQ(host("pastebin.com"), "pastebin.com");
}

}  // namespace
}  // namespace c2s::event

namespace c2s::event {
namespace {

// Found by fuzz_canonical: collapsing the separators of "\\\\?\C" leaves a
// "\\?\" prefix, so one pass was not a fixed point.
TEST(CanonicalPath, IsAFixedPoint) {
  std::string b1, b2;
  for (const char* p : {"\\\\\\\\?\\C\xf8 ", "\\\\\\\\?\\C:\\x.exe", "\\\\.\\\\?\\C:\\a"}) {
    std::string once(CanonicalPath(p, &b1));
    std::string twice(CanonicalPath(once, &b2));
    EXPECT_EQ(once, twice) << p;
  }
}

}  // namespace
}  // namespace c2s::event
