package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/atvm/atvmbot/bot"
	"github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/commands"
	"github.com/atvm/atvmbot/config"
	"github.com/atvm/atvmbot/storage"
)

func init() {
	register("serve", func() *cobra.Command {
		var o serveOpts
		cmd := &cobra.Command{
			Use:   "serve",
			Short: "run the bot against Mattermost and the controller (production)",
			Long: "Run the bot against Mattermost and the controller (production) until SIGINT or SIGTERM.\n" +
				"`atvmbot check-config` and `atvmbot doctor` check the same configuration first.",
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
				defer stop()
				return exitWith(serveRun(ctx, o, cmd.OutOrStdout(), cmd.ErrOrStderr()))
			},
		}
		cmd.Flags().StringVar(&o.path, "config", os.Getenv("ATVMBOT_CONFIG"), "YAML config file (env ATVMBOT_CONFIG)")
		o.log.register(cmd.Flags(), "info")
		return cmd
	})
}

type serveOpts struct {
	path string
	log  logFlags
}

// serveMain is `atvmbot serve ARGS…` until ctx ends; the exit code.
func serveMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, append([]string{"serve"}, args...), stdout, stderr)
}

func serveRun(ctx context.Context, o serveOpts, stdout, stderr io.Writer) int {
	log, err := o.log.logger(stderr, "serve")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, problems, warnings := loadChecked(o.path, config.ModeServe)
	for _, w := range warnings {
		log.Warn().Msg(w)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			log.Error().Str("problem", p).Msg("config")
		}
		fmt.Fprintf(stderr, "serve: %d config problem(s); run `atvmbot check-config` for the list\n", len(problems))
		return 1
	}
	if err := serve(ctx, &cfg, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("serve stopped")
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg *config.Config, log zerolog.Logger) error {
	if err := os.MkdirAll(filepath.Dir(cfg.Storage.Path), 0o750); err != nil {
		return fmt.Errorf("state folder: %w", err)
	}
	db, err := storage.Open(ctx, cfg.Storage.Path, cfg.Storage.BusyTimeout)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedBlacklist(ctx, db, cfg); err != nil {
		return err
	}
	metrics := bot.NewMetrics(versionString())
	signer, err := mattermost.NewSigner([]byte(cfg.Secrets.SigningKey))
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	// Listen first, so /healthz says what start-up waits for and a command
	// typed meanwhile waits instead of failing.
	ln, err := net.Listen("tcp", cfg.Mattermost.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Mattermost.Listen, err)
	}
	storageCheck := mattermost.HealthCheck{Name: "storage", Critical: true, Check: func(ctx context.Context) (string, error) { return "ok", db.Ping(ctx) }}
	gate := newStartGate(mattermost.ServerOptions{Metrics: metrics, Health: []mattermost.HealthCheck{storageCheck}, Version: versionString()})
	sctx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	served := make(chan error, 1)
	go func() { served <- mattermost.Serve(sctx, ln, gate, log) }()
	serveResult := sync.OnceValue(func() error { return <-served })
	defer func() { stopServing(); _ = serveResult() }()

	mm, err := waitForMattermost(ctx, mattermost.MattermostOptions{
		URL: cfg.Mattermost.URL, Token: cfg.Secrets.MattermostToken, TeamName: cfg.Mattermost.Team,
		PublicURL: cfg.Mattermost.PublicURL, Signer: signer, ButtonTTL: cfg.Approvals.ButtonTTL, Log: log, Metrics: metrics,
	}, gate, log)
	if err != nil {
		return fmt.Errorf("mattermost: %w", err)
	}
	gate.set("starting: looking up the team and channel, connecting to the controller")
	team, _, err := mm.Client().GetTeamByName(ctx, cfg.Mattermost.Team, "")
	if err != nil {
		return fmt.Errorf("mattermost team %q: %w", cfg.Mattermost.Team, err)
	}
	channel, _, err := mm.Client().GetChannelByName(ctx, cfg.Mattermost.Channel, team.Id, "")
	if err != nil {
		return fmt.Errorf("mattermost channel %q: %w", cfg.Mattermost.Channel, err)
	}
	resolveControllerChannels(ctx, cfg, func(name string) (string, error) {
		ch, _, err := mm.Client().GetChannelByName(ctx, name, team.Id, "")
		if err != nil {
			return "", err
		}
		return ch.Id, nil
	}, log)
	ctls, err := dialControllers(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer ctls.close()
	ctls.wire(versionString(), metrics)
	ctlRunner := ctls.main()
	core := &bot.Core{Cfg: cfg, DB: db, Chat: mm, Runner: ctlRunner, Runners: ctls.runners(), Log: log, Metrics: metrics, Version: versionString(), Channel: channel.Id,
		Approvers: []string{}} // fail closed until the configured names are resolved to user ids
	resolveApprovers(ctx, core, log)

	tokens := []string{}
	if cfg.Secrets.SlashToken != "" {
		tokens = append(tokens, cfg.Secrets.SlashToken)
	}
	dialog := mattermost.NewDialogHandler(mattermost.DialogOptions{Signer: signer, Handler: core, Form: core.PlanForm, Open: mm.OpenDialog,
		URL: cfg.Mattermost.PublicURL + mattermost.PathDialog, Log: log, Metrics: metrics})
	slash := mattermost.NewSlashHandler(mattermost.SlashOptions{Tokens: tokens, Handler: core, Log: log, Metrics: metrics, BaseContext: ctx,
		ServerURL: cfg.Mattermost.URL, Dialog: dialog})
	cmd, err := mattermost.RegisterCommand(ctx, mm.Client(), mattermost.CommandSpec{
		TeamID: team.Id, Trigger: cfg.Mattermost.CommandTrigger, URL: cfg.Mattermost.PublicURL + mattermost.PathCommand,
		Hint: commands.AutocompleteHint, Description: commands.AutocompleteDescription,
	}, log)
	switch {
	case err == nil && cmd != nil && cmd.Token != "":
		slash.SetTokens(append(tokens, cmd.Token)...)
	case errors.Is(err, mattermost.ErrRegisterForbidden):
	case err != nil:
		log.Warn().Err(err).Msg("registering the slash command")
	}
	action := mattermost.NewActionHandler(mattermost.ActionOptions{Signer: signer, Handler: core, Log: log, Metrics: metrics})
	ws := mattermost.NewWSListener(mm, mattermost.WSOptions{Handler: core, Log: log, Metrics: metrics})
	health := []mattermost.HealthCheck{
		storageCheck,
	}
	health = append(health, ctls.healthChecks()...)
	health = append(health, ws.HealthCheck(),
		mattermost.HealthCheck{Name: "watch", Check: func(ctx context.Context) (string, error) {
			stale, err := core.StalePolls(ctx)
			if err != nil {
				return "", err
			}
			if len(stale) > 0 {
				return "", fmt.Errorf("runs not polled lately: %s", strings.Join(stale, "; "))
			}
			return "every running run polled lately", nil
		}})
	mux := mattermost.NewMux(mattermost.ServerOptions{Slash: slash, Action: action, Dialog: dialog, Metrics: metrics, Health: health, Version: versionString()})
	core.Recover(ctx)
	stopWatch := startWatch(ctx, core, cfg.Watch.PollInterval, log)
	defer stopWatch()
	for _, name := range ctls.names {
		defer startPrune(ctx, ctls.byName[name], cfg.Watch.MirrorKeep, log)()
	}
	go func() { _ = ws.Run(ctx) }()
	gate.open(mux)
	log.Info().Str("listen", ln.Addr().String()).Str("team", cfg.Mattermost.Team).Strs("controllers", ctls.keys()).Msg("serving")
	err = serveResult() // until ctx ends
	slash.Wait()
	core.Wait()
	ws.Wait()
	return err
}

// resolveApprovers turns the configured approvers into Mattermost user ids
// now and every few minutes (a user created later starts to count; a user
// who takes a former approver's name never does). Names that match no user
// are logged; an unanswered server leaves the last resolution in force.
func resolveApprovers(ctx context.Context, core *bot.Core, log zerolog.Logger) {
	once := func() {
		missing, err := core.ResolveApprovers(ctx)
		if err != nil {
			log.Warn().Err(err).Msg("resolving approvers to user ids; keeping the previous list")
			return
		}
		if len(missing) > 0 {
			log.Warn().Strs("unknown", missing).Msg("approvals.approvers: these name no Mattermost user and approve nothing")
		}
	}
	once()
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				once()
			}
		}
	}()
}
