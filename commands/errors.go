package commands

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a refusal with a message meant for the person who typed the
// command. Flag names the option (or command word) the problem is about, so
// callers and tests can tell which input was refused.
type Error struct {
	Flag string // canonical option or command word, e.g. "--containsVm"; "" when none applies
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// errorf builds an Error whose message starts with the flag it names.
func errorf(flag, format string, a ...any) *Error {
	msg := fmt.Sprintf(format, a...)
	if flag != "" {
		msg = "`" + flag + "`: " + msg
	}
	return &Error{Flag: flag, Msg: msg}
}

// echoMax bounds how much of a refused value is repeated back in chat.
const echoMax = 40

// echo shows a user-typed value safely in a chat message: ASCII-quoted (so
// control and invisible characters are visible), shortened, inside a code
// span so an @mention in it notifies nobody.
func echo(s string) string {
	short := s
	if utf8.RuneCountInString(short) > echoMax {
		r := []rune(short)
		short = string(r[:echoMax])
	}
	q := strconv.QuoteToASCII(short)
	q = strings.ReplaceAll(q, "`", `\x60`)
	if short != s {
		q += fmt.Sprintf("… (%d bytes)", len(s))
	}
	return "`" + q + "`"
}
