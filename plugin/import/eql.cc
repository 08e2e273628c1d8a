#include "import/eql.h"

#include <cctype>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "import/node_groups.h"
#include "rules/json_reader.h"
#include "util/hex.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace c2s::import {

namespace {

enum class Tok { kIdent, kString, kNumber, kLParen, kRParen, kComma, kDot, kQuestion,
                 kOp, kPipe, kOther, kEnd };

struct Token {
  Tok type;
  std::string text;     // identifier, operator, number text, or unescaped string
  int line = 0, column = 0;
  std::string comment;  // a /* */ or // comment right before it
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Tokens up to the end, or false with *error set.
  bool Run(std::vector<Token>* out, EqlError* error) {
    std::string comment;
    while (true) {
      if (!SkipSpaceAndComments(&comment, error)) return false;
      Token t;
      t.line = line_;
      t.column = Column();
      t.comment = std::move(comment);
      comment.clear();
      if (i_ >= s_.size()) {
        t.type = Tok::kEnd;
        out->push_back(std::move(t));
        return true;
      }
      char c = s_[i_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@') {
        size_t b = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                  s_[i_] == '_' || s_[i_] == '@'))
          ++i_;
        t.type = Tok::kIdent;
        t.text = std::string(s_.substr(b, i_ - b));
        // in~, like~, regex~: the case-insensitive spellings.
        if (i_ < s_.size() && s_[i_] == '~') {
          t.text += '~';
          ++i_;
        }
      } else if (c == '`') {
        size_t e = s_.find('`', i_ + 1);
        if (e == std::string_view::npos) return Fail(error, t, "unterminated `quoted field`");
        t.type = Tok::kIdent;
        t.text = std::string(s_.substr(i_ + 1, e - i_ - 1));
        i_ = e + 1;
      } else if (c == '"') {
        t.type = Tok::kString;
        if (!String(&t, error)) return false;
        if (!simdjson::validate_utf8(t.text.data(), t.text.size()))
          return Fail(error, t, "string is not valid UTF-8");
      } else if (c == '\'') {
        return Fail(error, t, "single-quoted strings are not EQL: use \"...\"");
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
        size_t b = i_++;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) ||
                                  s_[i_] == '.' || s_[i_] == '+' ||
                                  ((s_[i_] == '-') && (s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E'))))
          ++i_;
        t.type = Tok::kNumber;
        t.text = std::string(s_.substr(b, i_ - b));
      } else {
        ++i_;
        switch (c) {
          case '(': t.type = Tok::kLParen; break;
          case ')': t.type = Tok::kRParen; break;
          case ',': t.type = Tok::kComma; break;
          case '.': t.type = Tok::kDot; break;
          case '?': t.type = Tok::kQuestion; break;
          case '|': t.type = Tok::kPipe; break;
          case ':': t.type = Tok::kOp; t.text.push_back(':'); break;
          case '=': case '!': case '<': case '>':
            t.type = Tok::kOp;
            t.text.push_back(c);
            if (i_ < s_.size() && s_[i_] == '=') t.text += s_[i_++];
            break;
          default:
            t.type = Tok::kOther;
            t.text.push_back(c);
        }
      }
      out->push_back(std::move(t));
    }
  }

 private:
  int Column() const { return static_cast<int>(i_ - line_start_) + 1; }

  bool Fail(EqlError* error, const Token& at, std::string message) {
    error->line = at.line;
    error->column = at.column;
    error->message = std::move(message);
    return false;
  }

  void Advance() {
    if (s_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  bool SkipSpaceAndComments(std::string* comment, EqlError* error) {
    while (i_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[i_]))) {
        Advance();
      } else if (s_.substr(i_, 2) == "/*") {
        Token at{Tok::kOther, "", line_, Column(), ""};
        size_t e = s_.find("*/", i_ + 2);
        if (e == std::string_view::npos) return Fail(error, at, "unterminated /* comment");
        *comment = std::string(TrimSpace(s_.substr(i_ + 2, e - i_ - 2)));
        while (i_ < e + 2) Advance();
      } else if (s_.substr(i_, 2) == "//") {
        size_t e = s_.find('\n', i_);
        if (e == std::string_view::npos) e = s_.size();
        *comment = std::string(TrimSpace(s_.substr(i_ + 2, e - i_ - 2)));
        while (i_ < e) Advance();
      } else {
        break;
      }
    }
    return true;
  }

  bool String(Token* t, EqlError* error) {
    if (s_.substr(i_, 3) == "\"\"\"") {  // raw: no escapes
      size_t e = s_.find("\"\"\"", i_ + 3);
      if (e == std::string_view::npos) return Fail(error, *t, "unterminated \"\"\" string");
      t->text = std::string(s_.substr(i_ + 3, e - i_ - 3));
      while (i_ < e + 3) Advance();
      return true;
    }
    ++i_;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') return Fail(error, *t, "unterminated string");
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c != '\\') {
        t->text += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return Fail(error, *t, "unterminated string");
      char e = s_[i_ + 1];
      i_ += 2;
      switch (e) {
        case '\\': t->text += '\\'; break;
        case '"': t->text += '"'; break;
        case '\'': t->text += '\''; break;
        case 'n': t->text += '\n'; break;
        case 'r': t->text += '\r'; break;
        case 't': t->text += '\t'; break;
        case 'u': {
          // \u{XXXX}
          size_t close = s_.find('}', i_);
          if (i_ >= s_.size() || s_[i_] != '{' || close == std::string_view::npos ||
              close - i_ - 1 == 0 || close - i_ - 1 > 8)
            return Fail(error, *t, "bad \\u{...} escape in string");
          uint32_t cp = 0;
          for (size_t k = i_ + 1; k < close; ++k) {
            int h = HexDigit(s_[k]);
            if (h < 0) return Fail(error, *t, "bad \\u{...} escape in string");
            cp = cp * 16 + static_cast<uint32_t>(h);
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return Fail(error, *t, "\\u{...} is not a Unicode scalar value");
          AppendUtf8(&t->text, cp);
          i_ = close + 1;
          break;
        }
        default:
          return Fail(error, *t, Cat("unknown escape \\", std::string(1, e), " in string"));
      }
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, EqlError* error)
      : t_(std::move(tokens)), error_(error) {}

  bool Query(rules::Node* out) {
    const Token& first = Peek();
    if (first.type == Tok::kIdent &&
        (first.text == "sequence" || first.text == "sample" || first.text == "join"))
      return Fail(first, Cat("\"", first.text, "\" queries are not supported: only single-event "
                             "queries (<category> where <condition>)"));
    if (first.type != Tok::kIdent || IsKeyword(first.text))
      return Fail(first, "expected an event category (network, process, any ...) then \"where\"");
    std::string category = Next().text;
    if (Peek().type != Tok::kIdent || Peek().text != "where")
      return Fail(Peek(), "expected \"where\" after the event category");
    Next();
    rules::Node condition;
    if (!Or(&condition)) return false;
    if (Peek().type == Tok::kPipe)
      return Fail(Peek(), "pipes (| head, | tail, | filter ...) are not supported");
    if (Peek().type != Tok::kEnd)
      return Fail(Peek(), Cat("unexpected ", Describe(Peek()), " after the condition"));
    if (category == "any") {
      *out = std::move(condition);
      return true;
    }
    rules::Node cat;
    cat.kind = rules::NodeKind::kEquals;
    cat.field = "event.category";
    cat.values = {category};
    cat.comment = category + " where";
    out->kind = rules::NodeKind::kAll;
    out->children.push_back(std::move(cat));
    JoinInto(rules::NodeKind::kAll, std::move(condition), out);
    return true;
  }

 private:
  static bool IsKeyword(const std::string& s) {
    return s == "and" || s == "or" || s == "not" || s == "where" || s == "in" || s == "in~" ||
           s == "like" || s == "like~" || s == "regex" || s == "regex~" || s == "true" ||
           s == "false" || s == "null";
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t k = std::min(pos_ + ahead, t_.size() - 1);
    return t_[k];
  }
  const Token& Next() {
    const Token& t = t_[pos_];
    if (pos_ + 1 < t_.size()) ++pos_;
    return t;
  }
  bool Fail(const Token& at, std::string message) {
    error_->line = at.line;
    error_->column = at.column;
    error_->message = std::move(message);
    return false;
  }
  static std::string Describe(const Token& t) {
    switch (t.type) {
      case Tok::kEnd: return "end of query";
      case Tok::kString: return "string \"" + t.text + "\"";
      default: return "\"" + t.text + "\"";
    }
  }

  // A chain of `word`-joined operands (`next` parses one) as a `kind` group;
  // a single operand stands as it is.
  bool Chain(const char* word, rules::NodeKind kind, bool (Parser::*next)(rules::Node*),
             rules::Node* out) {
    rules::Node first;
    if (!(this->*next)(&first)) return false;
    if (!(Peek().type == Tok::kIdent && Peek().text == word)) {
      *out = std::move(first);
      return true;
    }
    rules::Node group;
    group.kind = kind;
    JoinInto(kind, std::move(first), &group);
    while (Peek().type == Tok::kIdent && Peek().text == word) {
      Next();
      rules::Node operand;
      if (!(this->*next)(&operand)) return false;
      JoinInto(kind, std::move(operand), &group);
    }
    *out = std::move(group);
    return true;
  }
  bool Or(rules::Node* out) { return Chain("or", rules::NodeKind::kAny, &Parser::And, out); }
  bool And(rules::Node* out) { return Chain("and", rules::NodeKind::kAll, &Parser::Not, out); }

  bool Not(rules::Node* out) {
    // Each nesting level recurses: a bound keeps hostile input off the stack.
    if (++depth_ > kMaxDepth) return Fail(Peek(), Cat("conditions nested deeper than ", kMaxDepth));
    struct Leave {
      int* d;
      ~Leave() { --*d; }
    } leave{&depth_};
    std::string comment = Peek().comment;
    if (Peek().type == Tok::kIdent && Peek().text == "not") {
      Next();
      rules::Node inner;
      if (!Not(&inner)) return false;
      out->kind = rules::NodeKind::kNot;
      out->children.clear();
      out->children.push_back(std::move(inner));
      out->comment = comment;
      return true;
    }
    if (!Primary(out)) return false;
    if (!comment.empty() && out->comment.empty()) out->comment = comment;
    return true;
  }

  bool Primary(rules::Node* out) {
    if (Peek().type == Tok::kLParen) {
      Next();
      if (!Or(out)) return false;
      if (Peek().type != Tok::kRParen)
        return Fail(Peek(), Cat("expected \")\", found ", Describe(Peek())));
      Next();
      return true;
    }
    return Comparison(out);
  }

  bool Field(std::string* field) {
    if (Peek().type == Tok::kQuestion) Next();  // ?field: optional, null when missing
    const Token& head = Peek();
    if (head.type != Tok::kIdent || IsKeyword(head.text))
      return Fail(head, Cat("expected a field name, found ", Describe(head)));
    if (Peek(1).type == Tok::kLParen)
      return Fail(head, Cat("function ", head.text, "() is not supported"));
    *field = Next().text;
    while (Peek().type == Tok::kDot) {
      Next();
      if (Peek().type != Tok::kIdent)
        return Fail(Peek(), Cat("expected a field name part after \".\", found ", Describe(Peek())));
      *field += "." + Next().text;
    }
    if (!rules::IsFieldName(*field))
      return Fail(head, Cat("field name \"", *field, "\" cannot be used (letters, digits, _ - @ .)"));
    return true;
  }

  // A value: string, number, true, false or null. *kind says which.
  enum class Value { kString, kNumber, kTrue, kFalse, kNull };
  bool ReadValue(std::string* text, Value* kind) {
    const Token& t = Peek();
    if (t.type == Tok::kString) {
      *kind = Value::kString;
    } else if (t.type == Tok::kNumber) {
      *kind = Value::kNumber;
    } else if (t.type == Tok::kIdent && t.text == "true") {
      *kind = Value::kTrue;
    } else if (t.type == Tok::kIdent && t.text == "false") {
      *kind = Value::kFalse;
    } else if (t.type == Tok::kIdent && t.text == "null") {
      *kind = Value::kNull;
    } else if (t.type == Tok::kIdent && Peek(1).type == Tok::kLParen) {
      return Fail(t, Cat("function ", t.text, "() is not supported"));
    } else {
      return Fail(t, Cat("expected a value (string, number, true, false, null), found ",
                         Describe(t)));
    }
    *text = Next().text;
    return true;
  }

  // One value or a parenthesized list; only strings and numbers in a list.
  bool ReadList(std::vector<std::string>* out, bool allow_single) {
    std::string text;
    Value kind;
    if (Peek().type != Tok::kLParen) {
      if (!allow_single) return Fail(Peek(), "expected a parenthesized list of values");
      const Token& at = Peek();
      if (!ReadValue(&text, &kind)) return false;
      if (kind != Value::kString && kind != Value::kNumber)
        return Fail(at, "expected a string or a number");
      out->push_back(std::move(text));
      return true;
    }
    Next();
    while (true) {
      const Token& at = Peek();
      if (!ReadValue(&text, &kind)) return false;
      if (kind != Value::kString && kind != Value::kNumber)
        return Fail(at, "lists hold strings and numbers only");
      out->push_back(std::move(text));
      if (Peek().type == Tok::kComma) {
        Next();
        continue;
      }
      if (Peek().type == Tok::kRParen) {
        Next();
        return true;
      }
      return Fail(Peek(), Cat("expected \",\" or \")\" in the list, found ", Describe(Peek())));
    }
  }

  bool Comparison(rules::Node* out) {
    std::string field;
    if (!Field(&field)) return false;
    const Token op = Peek();
    out->field = field;
    // field not in (...), field not in~ (...)
    if (op.type == Tok::kIdent && op.text == "not" && Peek(1).type == Tok::kIdent &&
        (Peek(1).text == "in" || Peek(1).text == "in~")) {
      Next();
      const Token in = Next();
      rules::Node set;
      set.field = field;
      set.kind = rules::NodeKind::kEquals;
      set.case_insensitive = in.text == "in~";
      if (!ReadList(&set.values, false)) return false;
      out->kind = rules::NodeKind::kNot;
      out->field.clear();
      out->children.push_back(std::move(set));
      return true;
    }
    if (op.type == Tok::kIdent && (op.text == "in" || op.text == "in~")) {
      Next();
      out->kind = rules::NodeKind::kEquals;
      out->case_insensitive = op.text == "in~";
      return ReadList(&out->values, false);
    }
    if ((op.type == Tok::kOp && op.text == ":") ||
        (op.type == Tok::kIdent && op.text == "like~")) {
      Next();
      out->kind = rules::NodeKind::kWildcard;
      return ReadList(&out->values, true);
    }
    if (op.type == Tok::kIdent && op.text == "like") {
      Next();
      out->kind = rules::NodeKind::kWildcard;
      out->case_sensitive = true;
      return ReadList(&out->values, true);
    }
    if (op.type == Tok::kIdent && (op.text == "regex" || op.text == "regex~"))
      return Fail(op, Cat("\"", op.text, "\" is not supported"));
    if (op.type == Tok::kOp && (op.text == "==" || op.text == "!=")) {
      Next();
      std::string text;
      Value kind;
      if (!ReadValue(&text, &kind)) return false;
      bool negate = op.text == "!=";
      rules::Node pred;
      pred.field = field;
      switch (kind) {
        case Value::kNull:  // == null: absent; != null: present
          pred.kind = rules::NodeKind::kExists;
          negate = !negate;
          break;
        case Value::kTrue:
          pred.kind = rules::NodeKind::kIsTrue;
          break;
        case Value::kFalse:
          pred.kind = rules::NodeKind::kIsFalse;
          break;
        case Value::kString:
        case Value::kNumber:
          pred.kind = rules::NodeKind::kEquals;
          pred.values = {text};
          break;
      }
      if (negate) {
        out->kind = rules::NodeKind::kNot;
        out->field.clear();
        out->children.push_back(std::move(pred));
      } else {
        *out = std::move(pred);
      }
      return true;
    }
    if (op.type == Tok::kOp && (op.text == "<" || op.text == "<=" || op.text == ">" ||
                                op.text == ">="))
      return Fail(op, Cat("ordering comparison \"", op.text, "\" is not supported"));
    return Fail(op, Cat("expected an operator (==, !=, :, in, in~, like~) after ", field,
                        ", found ", Describe(op)));
  }

  static constexpr int kMaxDepth = 60;  // below the rule format's 64 levels
  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
  EqlError* error_;
};

}  // namespace

absl::StatusOr<rules::Node> ParseEql(std::string_view query, EqlError* error) {
  std::vector<Token> tokens;
  Lexer lexer(query);
  rules::Node node;
  if (lexer.Run(&tokens, error)) {
    Parser parser(std::move(tokens), error);
    if (parser.Query(&node)) return node;
  }
  return absl::InvalidArgumentError(
      Cat("line ", error->line, ", column ", error->column, ": ", error->message));
}

}  // namespace c2s::import
