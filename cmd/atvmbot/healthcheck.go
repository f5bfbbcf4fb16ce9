package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/atvm/atvmbot/config"
)

func init() {
	register("healthcheck", subcommand{
		summary: "ask a running bot's /healthz (for container HEALTHCHECK); exit 0 when healthy",
		run:     runHealthcheck,
	})
}

func runHealthcheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("ATVMBOT_CONFIG"), "YAML config file (its mattermost.listen is asked)")
	addr := fs.String("addr", "", "host:port to ask (default: mattermost.listen)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *addr == "" {
		cfg, _ := config.Load(*path, os.Environ())
		*addr = cfg.Mattermost.Listen
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: bad address %q: %v\n", *addr, err)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	fmt.Fprintf(stdout, "%s\n", body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
