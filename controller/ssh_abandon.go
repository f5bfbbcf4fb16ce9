package controller

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// abandonWait is how long a killed command gets to report its end before
// its session is closed anyway.
const abandonWait = 2 * time.Second

// abandon stops a command whose caller gave up: SIGKILL through the session
// (enough for non-root logins), then kill -KILL of its process group over a
// second session (root logins), then the session is closed.
func (s *SSH) abandon(ctx context.Context, sess *ssh.Session, pgid int, done <-chan error) {
	_ = sess.Signal(ssh.SIGKILL)
	if pgid > 1 {
		kctx, cancel := detached(ctx, "kill of an abandoned command")
		defer cancel()
		if err := s.killGroup(kctx, pgid); err != nil {
			s.log.Warn().Err(err).Int("pgid", pgid).Msg("ssh: could not kill an abandoned command")
		}
	}
	select {
	case <-done:
	case <-time.After(abandonWait):
	}
	sess.Close()
}

// killGroup kills a process group in a session of its own. It bypasses the
// session semaphore: the abandoned command still holds a slot, and OpenSSH
// allows more sessions than the semaphore hands out.
func (s *SSH) killGroup(ctx context.Context, pgid int) error {
	c, err := s.conn(ctx)
	if err != nil {
		return err
	}
	sess, err := c.NewSession()
	if err != nil {
		return err
	}
	defer sess.Close()
	res := make(chan error, 1)
	go func() { res <- sess.Run("kill -KILL -- -" + strconv.Itoa(pgid) + " 2>/dev/null; true") }()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctxErr(ctx)
	}
}

// pgidMarker starts the first stderr line of every SSH command: the
// command's process group, which the sniffer takes out of stderr.
const pgidMarker = "@@atvmbot-pgid "

// pgidSniffer passes stderr through minus the marker line, and keeps the
// group id it names. Login-script noise may come before the marker.
type pgidSniffer struct {
	mu   sync.Mutex
	w    io.Writer
	head []byte
	done bool
	id   int
}

func (p *pgidSniffer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		_, _ = p.w.Write(b)
		return len(b), nil
	}
	p.head = append(p.head, b...)
	if i := bytes.Index(p.head, []byte(pgidMarker)); i >= 0 {
		if j := bytes.IndexByte(p.head[i:], '\n'); j >= 0 {
			p.id, _ = strconv.Atoi(strings.TrimSpace(string(p.head[i+len(pgidMarker) : i+j])))
			rest := append(p.head[:i:i], p.head[i+j+1:]...)
			p.head, p.done = nil, true
			if len(rest) > 0 {
				_, _ = p.w.Write(rest)
			}
			return len(b), nil
		}
	}
	if len(p.head) > 64<<10 { // no marker after this much: not ours to strip
		_, _ = p.w.Write(p.head)
		p.head, p.done = nil, true
	}
	return len(b), nil
}

func (p *pgidSniffer) pgid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.id
}

// flush passes on what was held back while no marker line was complete.
func (p *pgidSniffer) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done && len(p.head) > 0 {
		_, _ = p.w.Write(p.head)
	}
	p.head, p.done = nil, true
}
