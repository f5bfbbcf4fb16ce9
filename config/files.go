package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

var hostName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$`)

// MinSigningKey is the shortest button-signing key serve accepts, in bytes
// (the bot's signer refuses shorter ones; a test keeps the two equal).
const MinSigningKey = 16

// checkLocal is everything serve needs on this machine before it touches
// the network: the secrets readable and well formed, the SSH key and
// known_hosts usable, the listen address valid, the state folder usable.
// It reads files and changes nothing.
func (c *Config) checkLocal(p func(key, format string, a ...any)) {
	for _, name := range []string{EnvMattermostToken, EnvSlashToken, EnvSigningKey} {
		if msg := c.secretErr[name]; msg != "" {
			key, rest, _ := strings.Cut(msg, ": ")
			p(key, "%s", rest)
		}
	}
	if k := c.Secrets.SigningKey; k != "" && len(k) < MinSigningKey {
		p(EnvSigningKey, "the signing key is %d bytes; want at least %d (e.g. `openssl rand -hex 32`)", len(k), MinSigningKey)
	}
	for name, v := range map[string]string{EnvMattermostToken: c.Secrets.MattermostToken, EnvSlashToken: c.Secrets.SlashToken} {
		if strings.ContainsAny(v, " \t\r\n") {
			p(name, "holds white space; a token is one word")
		}
	}
	c.checkSSHFiles(p)
	c.checkListen(p)
	c.checkStorage(p)
}

func (c *Config) checkSSHFiles(p func(key, format string, a ...any)) {
	entries := c.controllerEntries()
	sharedUsed := false
	for _, name := range sortedKeys(entries) {
		if e := entries[name]; e.Transport == "ssh" {
			sharedUsed = sharedUsed || e.SSHKey == ""
		}
	}
	if path := c.Secrets.SSHKeyPath; path != "" && sharedUsed {
		key := EnvSSHKey
		if c.secretSource[EnvSSHKey] != "env" {
			key = "secret_files.ssh_key"
		}
		checkSSHKey(p, key, path)
	}
	for _, name := range sortedKeys(entries) {
		e, key := entries[name], c.controllerKey(name)
		if e.Transport != "ssh" {
			continue
		}
		if e.SSHKey != "" {
			checkSSHKey(p, key+".ssh_key", e.SSHKey)
		}
		if kh := e.KnownHosts; kh != "" {
			if _, err := os.Stat(ExpandHome(kh)); err != nil {
				p(key+".known_hosts", "cannot read %s: %v; fill it with `ssh-keyscan -p %d %s`, after checking the key's fingerprint", kh, fileErr(err), e.Port, e.Host)
			} else if _, err := knownhosts.New(ExpandHome(kh)); err != nil {
				p(key+".known_hosts", "%s is not a known_hosts file: %v", kh, err)
			}
		}
	}
}

// checkSSHKey: the file is readable and an SSH private key without a
// passphrase (the bot cannot type one).
func checkSSHKey(p func(key, format string, a ...any), key, path string) {
	data, err := os.ReadFile(ExpandHome(path))
	if err != nil {
		p(key, "cannot read the SSH private key %s: %v", path, fileErr(err))
		return
	}
	if _, err := ssh.ParsePrivateKey(data); err != nil {
		var pe *ssh.PassphraseMissingError
		if errors.As(err, &pe) {
			p(key, "the SSH private key %s is passphrase-protected; give the bot a key without one", path)
		} else {
			p(key, "%s is not an SSH private key: %v", path, err)
		}
	}
}

func (c *Config) checkListen(p func(key, format string, a ...any)) {
	host, port, err := net.SplitHostPort(c.Mattermost.Listen)
	if err != nil {
		return // validateMattermost has named it
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		p("mattermost.listen", "want a port 1-65535, got %q", port)
	}
	if host != "" && net.ParseIP(host) == nil && !hostName.MatchString(host) {
		p("mattermost.listen", "%q is neither an IP address nor a host name", host)
	}
}

// checkStorage: the state file's folder exists or can be created, and a
// file can be written there; an existing state file is a writable file.
func (c *Config) checkStorage(p func(key, format string, a ...any)) {
	path := c.Storage.Path
	if path == "" {
		return // Validate has named it
	}
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			p("storage.path", "%s is not a file", path)
			return
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			p("storage.path", "cannot open %s for writing: %v", path, fileErr(err))
			return
		}
		f.Close()
	}
	dir := filepath.Dir(path)
	existing := dir
	for {
		fi, err := os.Stat(existing)
		if err == nil {
			if !fi.IsDir() {
				p("storage.path", "%s is not a folder, so %s cannot be created", existing, dir)
				return
			}
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			p("storage.path", "no folder of %s exists", dir)
			return
		}
		existing = parent
	}
	if err := Writable(existing); err != nil {
		what := "the state folder " + dir
		if existing != dir {
			what = fmt.Sprintf("%s (to create the state folder %s)", existing, dir)
		}
		p("storage.path", "cannot write in %s: %v", what, err)
	}
}

// Writable reports why this process could not write in the folder dir, or
// nil; it asks the kernel (access(2), the file system's read-only flag)
// and writes nothing.
func Writable(dir string) error {
	const wOK = 2
	if err := syscall.Access(dir, wOK); err != nil {
		return err
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return err
	}
	const stRDONLY = 1 // statfs f_flags: mounted read-only
	if st.Flags&stRDONLY != 0 {
		return syscall.EROFS
	}
	return nil
}

// ExpandHome expands a leading ~/ to the user's home folder.
func ExpandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
