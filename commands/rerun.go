package commands

import (
	"sort"
)

// CmdRerun plans a finished run again for its failed hosts only.
const CmdRerun = "rerun"

// RerunRequest is the request that runs orig again on the failed machines
// only: the same template and template options, the machines named with
// --specify_vms instead of the original selectors (which P13 then checks
// against the blacklist by name). A build name the operator gave gets
// "-rerun"; a derived one is derived again from the new selectors. Pure.
func RerunRequest(orig PlanRequest, failed []string) PlanRequest {
	r := orig
	vms := append([]string(nil), failed...)
	sort.Strings(vms)
	r.SpecifyVMs = vms
	r.ContainsVM, r.Randomize, r.Exclude = nil, 0, nil
	if r.Build != "" {
		r.Build += "-rerun"
	}
	r.Switches = append([]string(nil), orig.Switches...)
	r.OptOuts = append([]string(nil), orig.OptOuts...)
	r.Platforms = append([]string(nil), orig.Platforms...)
	return r
}
