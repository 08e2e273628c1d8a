// The built-in ruleset says what the upstream rule (the specification, in
// ../shared/reference/elastic) says: the same domain patterns, process
// locations and signers, in the same order, and the same metadata.
#include <gtest/gtest.h>

#include <fstream>

#include "rules/ruleset_loader.h"
#include "test_util.h"

namespace c2s::testing {
namespace {

// The quoted strings of the EQL list that follows `anchor` up to the
// closing parenthesis, with EQL's \\ unescaped.
std::vector<std::string> EqlList(const std::string& query, const std::string& anchor) {
  size_t at = query.find(anchor);
  EXPECT_NE(at, std::string::npos) << anchor;
  if (at == std::string::npos) return {};
  // Strings up to the first ')' outside a string, with EQL's \\ undone.
  std::vector<std::string> out;
  size_t i = query.find('(', at) + 1;
  while (i < query.size() && query[i] != ')') {
    if (query[i] != '"') {
      ++i;
      continue;
    }
    std::string v;
    for (++i; i < query.size() && query[i] != '"'; ++i) {
      if (query[i] == '\\' && i + 1 < query.size()) ++i;
      v += query[i];
    }
    ++i;
    out.push_back(v);
  }
  return out;
}


class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream f(SharedPath("reference/elastic/command_and_control_common_webservices.toml"));
    if (!f) GTEST_SKIP() << "../shared is not beside the checkout";
    std::stringstream s;
    s << f.rdbuf();
    toml_ = s.str();
    size_t q = toml_.find("query = '''");
    ASSERT_NE(q, std::string::npos);
    query_ = toml_.substr(q, toml_.find("'''", q + 11) - q);
    auto rs = rules::BuiltinRuleset();
    ASSERT_TRUE(rs.ok());
    rule_ = rs->rules[0];
  }
  std::vector<std::string> Ours(const std::string& comment) {
    const rules::Node* n = FindCommentedList(rule_.query, comment);
    EXPECT_NE(n, nullptr) << comment;
    return n ? n->values : std::vector<std::string>{};
  }
  std::string toml_, query_;
  rules::Rule rule_;
};

TEST_F(SpecTest, DomainPatterns) {
  auto upstream = EqlList(query_, "dns.question.name :\n");
  EXPECT_EQ(upstream.size(), 88u);
  EXPECT_EQ(Ours("commonly abused web services"), upstream);
}

TEST_F(SpecTest, ProcessLocations) {
  auto upstream = EqlList(query_, "process.executable : (");
  EXPECT_EQ(upstream.size(), 19u);
  EXPECT_EQ(Ours("legitimate program locations"), upstream);
}

TEST_F(SpecTest, TrustedSigners) {
  auto upstream = EqlList(query_, "process.code_signature.subject_name : (\n");
  EXPECT_EQ(upstream.size(), 17u);
  EXPECT_EQ(Ours("trusted signers"), upstream);
}

TEST_F(SpecTest, Metadata) {
  EXPECT_NE(toml_.find("rule_id = \"" + rule_.id + "\""), std::string::npos);
  EXPECT_NE(toml_.find("name = \"" + rule_.name + "\""), std::string::npos);
  EXPECT_NE(toml_.find("updated_date = \"" + rule_.version + "\""), std::string::npos);
  EXPECT_NE(toml_.find("severity = \"" + rule_.severity + "\""), std::string::npos);
  EXPECT_NE(toml_.find("risk_score = " + std::to_string(static_cast<int>(rule_.risk_score))),
            std::string::npos);
  for (const auto& ref : rule_.references)
    EXPECT_NE(toml_.find("\"" + ref + "\""), std::string::npos) << ref;
  size_t techniques = 0, subtechniques = 0;
  for (const auto& t : rule_.threat) {
    EXPECT_NE(toml_.find("id = \"" + t.tactic.id + "\""), std::string::npos);
    for (const auto& te : t.techniques) {
      ++techniques;
      EXPECT_NE(toml_.find("id = \"" + te.technique.id + "\""), std::string::npos);
      subtechniques += te.subtechniques.size();
    }
  }
  EXPECT_EQ(techniques, 5u);
  EXPECT_EQ(subtechniques, 8u);
}

}  // namespace
}  // namespace c2s::testing
