// Package commands is the /atvm grammar and the planner: chat text becomes a
// Command, a plan request becomes a Plan (every default applied, the
// blacklist handled, the exact controller commands built and hashed), and an
// approval is checked against the plan it names.
//
// It is pure: no I/O, no clock (callers pass now), no globals that change.
// Everything typed in chat is checked against an allowlist before it can
// reach an argv; a value with a shell metacharacter, a path step, a control
// character or a unicode look-alike is refused, never escaped, so the
// display string of a plan is exactly the argv joined with spaces. Words
// mean what they say (D26): an option is accepted only in the spelling of
// the table in flags.go or one of its listed aliases, never corrected from a
// near spelling, and a list option takes one comma-separated value.
//
// The template command has one canonical order, the order of the routing
// table in flags.go:
//
//	python3 ./cmc-templates.py --template_name T --config_file C
//	  [--containsVm P,…] [--specify_vms M,…] [--randomize N]
//	  [--use_specified_plugin X] [--integration_type I] [--vm_platforms V,…]
//	  [--ignore_force_shutdown] [--test_partition] [--set_static_ip_dest]
//	  [--test_install_only] [other default switches from the config]
//	  [--exclude_partial_match E,…]
//
// and the runner command is
//
//	python3 ./run-sorry-cypress.py --config_file C --build_name B [--categorize]
//
// Lists are comma-separated, as the operators' own examples write
// --exclude_partial_match. For a broad selector (--containsVm, --randomize)
// the excludes are the operator's own values first, then every blacklisted
// machine not already named, in blacklist order. With --specify_vms only
// the operator's own excludes are passed (P13).
package commands
