#include "xdrsync/core/strings.h"

#include <gtest/gtest.h>

#include "xdrsync/core/clock.h"

namespace xdrsync {
namespace {

TEST(StringsTest, CaseAndTrim) {
  EXPECT_EQ(AsciiLower("Alice@Contoso.COM"), "alice@contoso.com");
  EXPECT_TRUE(EqualsIgnoreCase("TruePositive", "truepositive"));
  EXPECT_FALSE(EqualsIgnoreCase("True", "TruePositive"));
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_EQ(Trim(" \t "), "");
}

TEST(StringsTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x94\x92"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(StringsTest, EscapeForTerminalDefusesControlSequences) {
  // An OSC retitle, a screen clear, a CSI through the C1 form, a forged line, DEL, a stray byte.
  EXPECT_EQ(EscapeForTerminal("\x1b]0;pwned\x07\x1b[2J"), "\\x1b]0;pwned\\x07\\x1b[2J");
  EXPECT_EQ(EscapeForTerminal("a\xc2\x9b" "31mb"), "a\\u009b31mb");
  EXPECT_EQ(EscapeForTerminal("ok\nFAKE LINE\r\t\x7f"), "ok\\x0aFAKE LINE\\x0d\\x09\\x7f");
  EXPECT_EQ(EscapeForTerminal("bad \xff byte"), "bad \\xff byte");
  // Printable text is untouched, letters beyond ASCII and the no-break space included.
  EXPECT_EQ(EscapeForTerminal("Zoë — 東京 \xc2\xa0ok"), "Zoë — 東京 \xc2\xa0ok");
  EXPECT_EQ(EscapeForTerminal(""), "");
}

TEST(StringsTest, Utf8PrefixNeverSplitsASequence) {
  const std::string s = "ab\xE2\x82\xAC";  // "ab€"
  EXPECT_EQ(Utf8Prefix(s, 4), "ab");
  EXPECT_EQ(Utf8Prefix(s, 5), s);
  EXPECT_TRUE(IsValidUtf8(Utf8Prefix(s, 3)));
}

TEST(StringsTest, SplitJoin) {
  EXPECT_EQ(Split("a|b||c", '|'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(Timestamp::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now().unix_seconds(), 1000);
  clock.Advance(5);
  EXPECT_EQ(clock.Now().unix_seconds(), 1005);
  SystemClock sys;
  EXPECT_GT(sys.Now().unix_seconds(), 1'700'000'000);
}

}  // namespace
}  // namespace xdrsync
