package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment override.
const EnvPrefix = "ATVMBOT_"

// Secret environment variables. Each may also be given as <NAME>_FILE, a path
// to a file holding the value.
const (
	EnvMattermostToken = "ATVMBOT_MATTERMOST_TOKEN"
	EnvSlashToken      = "ATVMBOT_SLASH_TOKEN"
	EnvSigningKey      = "ATVMBOT_SIGNING_KEY"
	EnvSSHKey          = "ATVMBOT_SSH_KEY" // path of the private key
)

// Problems is every problem found, each naming its key.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "\n") }

// Load reads the defaults, then the YAML file (when path is not empty), then
// the environment. It returns the config and all problems found while
// reading; call Validate for the semantic checks.
func Load(path string, environ []string) (Config, Problems) {
	cfg := Default()
	var probs Problems
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, Problems{fmt.Sprintf("config file: %v", err)}
		}
		probs = append(probs, decodeYAML(path, data, &cfg)...)
		cfg.file, cfg.lines = path, keyLines(data)
	}
	env := envMap(environ)
	probs = append(probs, applyEnv(&cfg, env)...)
	probs = append(probs, loadSecrets(&cfg, env)...)
	probs = append(probs, cfg.syncMainController(singleBlockKeys(cfg.lines, env))...)
	return cfg, probs
}

// singleBlockKeys names where the single `controller:` block was set: in
// the file or by an ATVMBOT_CONTROLLER_* override.
func singleBlockKeys(lines map[string]int, env map[string]string) []string {
	var keys []string
	if _, ok := lines["controller"]; ok {
		keys = append(keys, "controller")
	}
	for _, k := range sortedKeys(env) {
		if strings.HasPrefix(k, EnvPrefix+"CONTROLLER_") {
			keys = append(keys, k)
		}
	}
	return keys
}

func decodeYAML(file string, data []byte, cfg *Config) Problems {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if err == nil {
		return nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		lines := keyLines(data)
		var p Problems
		for _, e := range te.Errors {
			p = append(p, explainYAMLError(file, e, lines))
		}
		return p
	}
	return Problems{explainYAMLError(file, strings.TrimPrefix(err.Error(), "yaml: "), nil)}
}

func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			m[k] = v
		}
	}
	return m
}

var secretEnv = map[string]bool{
	EnvMattermostToken: true, EnvMattermostToken + "_FILE": true,
	EnvSlashToken: true, EnvSlashToken + "_FILE": true,
	EnvSigningKey: true, EnvSigningKey + "_FILE": true,
	EnvSSHKey: true,
}

// applyEnv sets scalar and list fields from ATVMBOT_<SECTION>_<KEY>, where the
// names are the YAML keys upper-cased. Lists are comma-separated.
func applyEnv(cfg *Config, env map[string]string) Problems {
	fields := map[string]reflect.Value{}
	collectEnvFields(reflect.ValueOf(cfg).Elem(), EnvPrefix, fields)
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var probs Problems
	for _, k := range keys {
		if secretEnv[k] {
			continue
		}
		f, ok := fields[k]
		if !ok && !inSection(k) {
			continue // not a setting: e.g. ATVMBOT_CONFIG, test switches
		}
		if !ok {
			hint := ""
			if best := closest(k, sortedKeys(fields)); best != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", best)
			}
			probs = append(probs, fmt.Sprintf("%s: not a known setting%s", k, hint))
			continue
		}
		if err := setFromString(f, env[k]); err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", k, err))
		}
	}
	return probs
}

// inSection reports whether an env name starts like a config section, so a
// misspelt key inside a section is reported instead of silently ignored.
func inSection(name string) bool {
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" && strings.HasPrefix(name, EnvPrefix+strings.ToUpper(tag)+"_") {
			return true
		}
	}
	return false
}

func collectEnvFields(v reflect.Value, prefix string, out map[string]reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		name := prefix + strings.ToUpper(tag)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			collectEnvFields(fv, name+"_", out)
			continue
		}
		switch fv.Kind() {
		case reflect.String, reflect.Int, reflect.Int64, reflect.Bool:
			out[name] = fv
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.String {
				out[name] = fv
			}
		}
	}
}

var durationType = reflect.TypeOf(time.Duration(0))

func setFromString(f reflect.Value, s string) error {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 30s or 20m, got %q", s)
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", s)
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		f.SetBool(b)
	case f.Kind() == reflect.Slice:
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		f.Set(reflect.ValueOf(items))
	}
	return nil
}

// loadSecrets fills cfg.Secrets from env values, env-named files and the
// config's secret_files, in that order of preference. A named file that
// cannot be read is remembered: Validate makes it a problem for serve and a
// warning for the offline commands.
func loadSecrets(cfg *Config, env map[string]string) Problems {
	cfg.secretSource = map[string]string{}
	cfg.secretErr = map[string]string{}
	read := func(name, fileFromConfig, yamlKey string) string {
		if v := env[name]; v != "" {
			cfg.secretSource[name] = "env"
			return v
		}
		file, key := env[name+"_FILE"], name+"_FILE"
		if file == "" {
			file, key = fileFromConfig, yamlKey
		}
		if file == "" {
			return ""
		}
		cfg.secretSource[name] = file
		data, err := os.ReadFile(file)
		if err != nil {
			cfg.secretErr[name] = fmt.Sprintf("%s: cannot read the secret file %s: %v", key, file, fileErr(err))
			return ""
		}
		return strings.TrimSpace(string(data))
	}
	cfg.Secrets.MattermostToken = read(EnvMattermostToken, cfg.SecretFiles.MattermostToken, "secret_files.mattermost_token")
	cfg.Secrets.SlashToken = read(EnvSlashToken, cfg.SecretFiles.SlashToken, "secret_files.slash_token")
	cfg.Secrets.SigningKey = read(EnvSigningKey, cfg.SecretFiles.SigningKey, "secret_files.signing_key")
	if p := env[EnvSSHKey]; p != "" {
		cfg.Secrets.SSHKeyPath = p
		cfg.secretSource[EnvSSHKey] = "env"
	} else if cfg.SecretFiles.SSHKey != "" {
		cfg.Secrets.SSHKeyPath = cfg.SecretFiles.SSHKey
		cfg.secretSource[EnvSSHKey] = cfg.SecretFiles.SSHKey
	}
	return nil
}

// fileErr is the reason of a file error without the path repeated.
func fileErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
