package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/pflag"
)

// logFlags are the logging flags every long-running subcommand takes.
type logFlags struct {
	format string
	level  string
}

func (l *logFlags) register(fs *pflag.FlagSet, level string) {
	fs.StringVar(&l.format, "log-format", "json", "log format: json or console")
	fs.StringVar(&l.level, "log-level", level, "log level: debug, info, warn, error")
}

// logger builds the process logger; its first line carries the version (W9).
func (l *logFlags) logger(w io.Writer, command string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(l.level)
	if err != nil || l.level == "" {
		return zerolog.Nop(), fmt.Errorf("--log-level: want debug, info, warn or error, got %q", l.level)
	}
	switch l.format {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	default:
		return zerolog.Nop(), fmt.Errorf("--log-format: want json or console, got %q", l.format)
	}
	log := zerolog.New(w).Level(lvl).With().Timestamp().Logger()
	log.Info().Str("version", versionString()).Str("command", command).Int("pid", os.Getpid()).Msg("atvmbot starting")
	return log, nil
}
