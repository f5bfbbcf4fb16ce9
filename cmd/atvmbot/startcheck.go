package main

import (
	"os"

	"github.com/atvm/atvmbot/config"
)

// loadChecked loads the configuration and runs every check `serve` makes
// before it touches the network: `check-config`, `doctor` and `serve` all
// call it, so a configuration check-config accepts is one serve starts with.
func loadChecked(path string, mode config.Mode) (cfg config.Config, problems, warnings config.Problems) {
	cfg, problems = config.Load(path, os.Environ())
	more, warnings := cfg.Validate(mode)
	return cfg, append(problems, more...), warnings
}
