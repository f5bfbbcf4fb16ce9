package controller

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atvm/atvmbot/config"
	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Host key failures. Both refuse the connection; neither is retried.
var (
	ErrHostKeyUnknown = errors.New("controller host key is not in known_hosts")
	ErrHostKeyChanged = errors.New("controller host key CHANGED")
)

// HostKeyError says which host, which file and which key was presented.
type HostKeyError struct {
	Addr       string
	KnownHosts string
	Presented  string   // type and SHA256 fingerprint the server offered
	Known      []string // "file:line type fingerprint" of the keys on file, for a changed key
	Changed    bool
	cause      error
}

// Unwrap gives the knownhosts error underneath.
func (e *HostKeyError) Unwrap() error { return e.cause }

func (e *HostKeyError) Error() string {
	if e.Changed {
		return fmt.Sprintf("%v for %s: the server presented %s but %s expects %s; refusing to connect (the controller was reinstalled, or someone is in between: check the new key out of band, then replace the line)",
			ErrHostKeyChanged, e.Addr, e.Presented, e.KnownHosts, strings.Join(e.Known, ", "))
	}
	return fmt.Sprintf("%v: %s presented %s and %s has no entry for it; refusing to connect (verify the fingerprint out of band, then add the key to %s)",
		ErrHostKeyUnknown, e.Addr, e.Presented, e.KnownHosts, e.KnownHosts)
}

// Is lets errors.Is match the two sentinels.
func (e *HostKeyError) Is(target error) bool {
	return (target == ErrHostKeyChanged && e.Changed) || (target == ErrHostKeyUnknown && !e.Changed)
}

// maxSessions stays under OpenSSH's default MaxSessions (10) per connection:
// the 11th session would be refused ("open failed").
const maxSessions = 8

// sessionRetries is how often a session the server refused is asked for
// again before the command fails.
const sessionRetries = 6

// SSH is one SSH connection to the controller, reused for every command
// (one session each), kept alive, and re-dialled with backoff when lost.
type SSH struct {
	addr   string
	config *ssh.ClientConfig
	kh     string
	cc     config.Controller
	log    zerolog.Logger
	sem    chan struct{}
	dials  atomic.Int64

	mu     sync.Mutex
	client *ssh.Client
	closed bool
}

// DialSSH connects to cfg.Host with the private key at keyPath, checking the
// host key against cfg.KnownHosts. An unknown or changed host key is refused
// with a *HostKeyError; there is no way to skip the check.
func DialSSH(ctx context.Context, cfg config.Controller, keyPath string, log zerolog.Logger) (*SSH, error) {
	keyBytes, err := os.ReadFile(expandHome(keyPath))
	if err != nil {
		return nil, fmt.Errorf("ssh: private key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(keyBytes)
	if err != nil {
		var pe *ssh.PassphraseMissingError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("ssh: private key %s is passphrase-protected; give the bot a key without one", keyPath)
		}
		return nil, fmt.Errorf("ssh: private key %s: %w", keyPath, err)
	}
	if cfg.KnownHosts == "" {
		return nil, errors.New("ssh: controller.known_hosts is empty: the controller's host key must be checked")
	}
	kh := expandHome(cfg.KnownHosts)
	check, err := knownhosts.New(kh)
	if err != nil {
		return nil, fmt.Errorf("ssh: known_hosts: %w", err)
	}
	port := cfg.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	algos := cfg.HostKeyAlgorithms
	if len(algos) == 0 {
		// Go prefers RSA, then ECDSA, then ED25519: when the server has several
		// keys and known_hosts lists one type, another type would be negotiated
		// and fail as a mismatch. Offer only the types on file.
		algos = knownAlgorithms(check, addr)
	}
	s := &SSH{
		addr: addr, kh: kh, cc: cfg, log: log.With().Str("controller", addr).Logger(),
		sem: make(chan struct{}, maxSessions),
	}
	s.config = &ssh.ClientConfig{
		User:              cfg.User,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback:   s.hostKeyCallback(check),
		HostKeyAlgorithms: algos,
		Timeout:           cfg.ConnectTimeout,
	}
	if _, err := s.dial(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

func (s *SSH) hostKeyCallback(check ssh.HostKeyCallback) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		var ke *knownhosts.KeyError
		if !errors.As(err, &ke) {
			return err
		}
		he := &HostKeyError{Addr: hostname, KnownHosts: s.kh, Changed: len(ke.Want) > 0, cause: err,
			Presented: key.Type() + " " + ssh.FingerprintSHA256(key)}
		for _, w := range ke.Want {
			he.Known = append(he.Known, fmt.Sprintf("%s:%d %s %s", w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key)))
		}
		return he
	}
}

// knownAlgorithms asks known_hosts which key types it holds for addr, by
// presenting a key that cannot match: the KeyError lists the keys on file.
func knownAlgorithms(check ssh.HostKeyCallback, addr string) []string {
	probe, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		return nil
	}
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	remote := &net.TCPAddr{IP: net.ParseIP(host), Port: p}
	if remote.IP == nil {
		remote.IP = net.IPv4zero
	}
	var ke *knownhosts.KeyError
	if !errors.As(check(addr, remote, probe), &ke) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			algos = append(algos, a)
		}
	}
	for _, w := range ke.Want {
		if t := w.Key.Type(); t == ssh.KeyAlgoRSA {
			add(ssh.KeyAlgoRSASHA512)
			add(ssh.KeyAlgoRSASHA256)
			add(ssh.KeyAlgoRSA)
		} else {
			add(t)
		}
	}
	return algos
}

// dial opens a new connection and starts its keepalive.
func (s *SSH) dial(ctx context.Context) (*ssh.Client, error) {
	s.dials.Add(1)
	d := net.Dialer{Timeout: s.cc.ConnectTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("ssh: dial %s: %w", s.addr, err)
	}
	if s.cc.ConnectTimeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(s.cc.ConnectTimeout))
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, s.addr, s.config)
	if err != nil {
		conn.Close()
		var he *HostKeyError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, fmt.Errorf("ssh: handshake with %s as %s: %w", s.addr, s.config.User, err)
	}
	_ = conn.SetDeadline(time.Time{})
	client := ssh.NewClient(c, chans, reqs)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		client.Close()
		return nil, errors.New("ssh: transport closed")
	}
	s.client = client
	s.mu.Unlock()
	go s.watch(client)
	s.log.Debug().Int64("dials", s.dials.Load()).Msg("ssh connected")
	return client, nil
}

// keepaliveMisses is how many keepalive intervals a reply may take before
// the connection counts as dead (OpenSSH's ServerAliveCountMax): a busy
// controller answers late, and a wrongly closed connection kills sessions.
const keepaliveMisses = 3

// watch sends keepalives and forgets the client when its connection ends,
// so the next Run dials again.
func (s *SSH) watch(client *ssh.Client) {
	done := make(chan struct{})
	go func() { _ = client.Wait(); close(done) }()
	every := s.cc.Keepalive
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			s.forget(client)
			return
		case <-t.C:
		}
		reply := make(chan error, 1)
		go func() {
			_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		select {
		case err := <-reply:
			if err == nil {
				continue
			}
			s.log.Warn().Err(err).Msg("ssh keepalive failed; the next command reconnects")
		case <-time.After(every * keepaliveMisses):
			s.log.Warn().Msg("ssh keepalive unanswered; closing, the next command reconnects")
		case <-done:
			continue // loop back to forget
		}
		client.Close()
	}
}

func (s *SSH) forget(client *ssh.Client) {
	s.mu.Lock()
	if s.client == client {
		s.client = nil
	}
	s.mu.Unlock()
}

// conn returns the live client, re-dialling with exponential backoff when
// the connection was lost. Host key and authentication failures are final.
func (s *SSH) conn(ctx context.Context) (*ssh.Client, error) {
	s.mu.Lock()
	c, closed := s.client, s.closed
	s.mu.Unlock()
	if closed {
		return nil, errors.New("ssh: transport closed")
	}
	if c != nil {
		return c, nil
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 200 * time.Millisecond
	b.MaxInterval = 10 * time.Second
	b.MaxElapsedTime = 2 * time.Minute
	var got *ssh.Client
	err := backoff.RetryNotify(func() error {
		s.mu.Lock()
		got = s.client
		s.mu.Unlock()
		if got != nil {
			return nil
		}
		var err error
		got, err = s.dial(ctx)
		if err != nil && (errors.As(err, new(*HostKeyError)) || strings.Contains(err.Error(), "unable to authenticate") || strings.Contains(err.Error(), "transport closed")) {
			return backoff.Permanent(err)
		}
		return err
	}, backoff.WithContext(b, ctx), func(err error, next time.Duration) {
		s.log.Warn().Err(err).Dur("retry_in", next).Msg("ssh reconnect failed")
	})
	return got, err
}

// Dials reports how many connections were opened (1 + reconnects).
func (s *SSH) Dials() int64 { return s.dials.Load() }

// Run runs argv in a new session on the shared connection. When ctx ends
// first, the command is killed (its process group, from another session:
// sshd ignores session signals for root logins) and the session closed, so
// neither the caller nor a session slot waits on it.
func (s *SSH) Run(ctx context.Context, argv []string, opt RunOpts) (Result, error) {
	line, err := commandLine(argv, opt.Dir, opt.Env)
	if err != nil {
		return Result{}, err
	}
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return Result{}, ctxErr(ctx)
	}
	sess, err := s.session(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctxErr(ctx)
		}
		return Result{}, err
	}
	defer sess.Close()
	stdout, stderr, outBuf, errBuf := outputs(opt)
	sniff := &pgidSniffer{w: stderr}
	sess.Stdin, sess.Stdout, sess.Stderr = opt.Stdin, stdout, sniff
	// The login shell is the session leader: $$ is the command's group.
	if err := sess.Start(`echo "` + pgidMarker + `$$" >&2; ` + line); err != nil {
		return Result{}, fmt.Errorf("ssh: start %s: %w", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		s.abandon(ctx, sess, sniff.pgid(), done)
		return Result{}, ctxErr(ctx)
	}
	sniff.flush()
	var res Result
	if ferr := fill(&res, outBuf, errBuf); ferr != nil {
		return res, fmt.Errorf("ssh: %s: %w", argv[0], ferr)
	}
	var ee *ssh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitStatus()
		if ee.Signal() != "" && res.ExitCode == 0 {
			res.ExitCode = 128
		}
	default:
		return res, fmt.Errorf("ssh: %s: connection lost during the command: %w", argv[0], err)
	}
	return res, nil
}

// session opens a session, reconnecting once if the connection turned out
// to be dead (a session is opened before anything runs, so this is safe).
func (s *SSH) session(ctx context.Context) (*ssh.Session, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.conn(ctx)
		if err != nil {
			return nil, err
		}
		sess, err := c.NewSession()
		if err == nil {
			return sess, nil
		}
		var oce *ssh.OpenChannelError
		if errors.As(err, &oce) {
			// The server refused this session (MaxSessions): sessions we
			// closed may not be torn down on its side yet. The connection
			// and its other sessions are fine: wait a little and retry.
			if attempt < sessionRetries {
				select {
				case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
					continue
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return nil, fmt.Errorf("ssh: open session: %w", err)
		}
		c.Close()
		s.forget(c)
		if attempt > 0 {
			return nil, fmt.Errorf("ssh: open session: %w", err)
		}
		s.log.Warn().Err(err).Msg("ssh session failed; reconnecting")
	}
}

// DropConnection closes the current connection without closing the
// transport, as a network failure would; the next Run reconnects.
func (s *SSH) DropConnection() {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c != nil {
		c.Close()
		s.forget(c)
	}
}

// Close closes the connection for good.
func (s *SSH) Close() error {
	s.mu.Lock()
	s.closed = true
	c := s.client
	s.client = nil
	s.mu.Unlock()
	if c != nil {
		return c.Close()
	}
	return nil
}
