package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/config"
)

func init() {
	register("healthcheck", func() *cobra.Command {
		var path, addr string
		cmd := &cobra.Command{
			Use:   "healthcheck",
			Short: "ask a running bot's /healthz (for container HEALTHCHECK); exit 0 when healthy",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitWith(runHealthcheck(path, addr, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		cmd.Flags().StringVar(&path, "config", os.Getenv("ATVMBOT_CONFIG"), "YAML config file (its mattermost.listen is asked; env ATVMBOT_CONFIG)")
		cmd.Flags().StringVar(&addr, "addr", "", "host:port to ask (default: mattermost.listen)")
		return cmd
	})
}

func runHealthcheck(path, addr string, stdout, stderr io.Writer) int {
	if addr == "" {
		cfg, _ := config.Load(path, os.Environ())
		addr = cfg.Mattermost.Listen
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "healthcheck: bad address %q: %v\n", addr, err)
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
