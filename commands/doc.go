// Package commands is the /atvm grammar and the planner: chat text becomes a
// Command, a plan request becomes a Plan (every default applied, the
// blacklist handled, the exact controller commands built and hashed), and an
// approval is checked against the plan it names.
//
// It is pure: no I/O, no clock (callers pass now), no globals that change.
// Everything typed in chat is checked against an allowlist before it can
// reach an argv; a value with a shell metacharacter, a path step, a control
// character or a unicode look-alike is refused, never escaped, so the
// display string of a plan is exactly the argv joined with spaces.
package commands
