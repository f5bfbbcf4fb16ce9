#!/usr/bin/env bash
# mattermost-up.sh — a real Mattermost server (built from Go source through the
# module proxy) plus PostgreSQL, both on 127.0.0.1 only, for atvmbot's
# integration tests (bot/mattermost/integration_test.go). No docker needed.
#
# Usage:
#   scripts/mattermost-up.sh up      install deps (apt, when missing), build or reuse the
#                                    server binary, start postgres + mattermost,
#                                    bootstrap admin, alice, team, channel, bot + token,
#                                    print KEY=VALUE lines (also written to $MM_IT_STATE/mm-it.env)
#   scripts/mattermost-up.sh env     print the KEY=VALUE lines of the running instance
#   scripts/mattermost-up.sh status  say what is running
#   scripts/mattermost-up.sh down    stop mattermost and postgres (data kept)
#   scripts/mattermost-up.sh reset   down, then delete all state (next up starts empty)
#   scripts/mattermost-up.sh build   only build (or reuse) the server binary
# Or source it and call mm_it_up / mm_it_down / mm_it_env / mm_it_status / mm_it_reset.
#
# Run the integration test against it:
#   scripts/mattermost-up.sh up >/dev/null
#   ATVMBOT_MM_ENV=$MM_IT_STATE/mm-it.env ATVMBOT_REQUIRE_MM=1 go test -run Integration ./bot/mattermost/
#   scripts/mattermost-up.sh down
#
# Everything is idempotent: `up` twice reuses the running server, the users,
# team, channel, bot and still-valid tokens. Tunables (environment):
#   MM_IT_STATE      state dir (pg data, mm data, logs, mm-it.env)  default /tmp/atvmbot-mm-it
#                    (must be traversable by the postgres user when run as root)
#   MM_IT_CACHE      where built binaries are kept        default ~/.cache/mattermost-it
#   MM_IT_PORT       mattermost port on 127.0.0.1          default 8065
#   MM_IT_PG_PORT    postgres port on 127.0.0.1            default 55432
#   MM_IT_START_TIMEOUT seconds to wait for /system/ping   default 180
#   MM_IT_COMMAND_URL   if set (loopback only), `up` registers or updates the team
#                    slash command /$MM_IT_COMMAND_TRIGGER (default atvm) pointing at it
#   MM_SERVER_VERSION / MM_PUBLIC_VERSION  module versions to build (see below)
# Output keys: MM_URL MM_WS_URL MM_TEAM_ID MM_TEAM_NAME MM_CHANNEL_ID MM_CHANNEL_NAME
#   MM_ADMIN_USER_ID MM_ADMIN_USERNAME MM_ADMIN_PASSWORD MM_ADMIN_TOKEN
#   MM_USER_ID MM_USER_USERNAME MM_USER_PASSWORD MM_USER_TOKEN
#   MM_BOT_USER_ID MM_BOT_USERNAME MM_BOT_TOKEN [MM_COMMAND_ID MM_COMMAND_TOKEN MM_COMMAND_TRIGGER]
#   MM_SERVER_PID MM_SERVER_VERSION_STRING PG_PORT MM_ENV_FILE
MM_IT_SCRIPT="$(readlink -f "${BASH_SOURCE[0]}")"

# --- versions -------------------------------------------------------------
# The module proxy here only serves some pseudo-versions of server/v8 (others
# answer 403 "This module version is not available"), and has no checksum-db
# entry for them, so the two mattermost modules are pinned by hash below and
# GONOSUMDB skips the (404ing) sumdb lookup for them only.
MM_SERVER_VERSION="${MM_SERVER_VERSION:-v8.0.0-20260113162330-9e1d4c2072c0}"   # Mattermost 11.4.0 (master, 2026-01-13)
MM_PUBLIC_VERSION="${MM_PUBLIC_VERSION:-v0.1.22-0.20260113165922-8e4cadbc88ee}" # server/public from the same day
MM_PINNED_SUMS='github.com/mattermost/mattermost/server/public v0.1.22-0.20260113165922-8e4cadbc88ee h1:CcjbByJ/s6YfvR62ZckyjfQgUMnfmfW19XU2Lx8PqQU=
github.com/mattermost/mattermost/server/public v0.1.22-0.20260113165922-8e4cadbc88ee/go.mod h1:4dehIGXz/qyCaiTYWgtzMC334V/TH61QY0cI8XhxdU0=
github.com/mattermost/mattermost/server/v8 v8.0.0-20260113162330-9e1d4c2072c0 h1:Q8G/lGungMAkoa3aWDIbkDOHFKo8o7D5whXobOwMCnI=
github.com/mattermost/mattermost/server/v8 v8.0.0-20260113162330-9e1d4c2072c0/go.mod h1:md4jXtKoZBz2ZP8RJDB6bqKDOvNu4sfaAHNRoBEreV0='

MM_IT_STATE="${MM_IT_STATE:-/tmp/atvmbot-mm-it}"
MM_IT_CACHE="${MM_IT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mattermost-it}"
MM_IT_PORT="${MM_IT_PORT:-8065}"
MM_IT_PG_PORT="${MM_IT_PG_PORT:-55432}"
MM_IT_START_TIMEOUT="${MM_IT_START_TIMEOUT:-180}"
MM_IT_COMMAND_TRIGGER="${MM_IT_COMMAND_TRIGGER:-atvm}"

MM_IT_URL="http://127.0.0.1:${MM_IT_PORT}"
MM_IT_API="${MM_IT_URL}/api/v4"
MM_IT_HOME="${MM_IT_CACHE}/${MM_SERVER_VERSION}/mattermost"   # bin/ i18n/ templates/ fonts/
MM_IT_PG_PASSWORD="mmuser-it-password"
MM_IT_ADMIN_USER="admin"
MM_IT_ADMIN_PASS="Admin-Passw0rd!"
MM_IT_USER_USER="alice"
MM_IT_USER_PASS="Alice-Passw0rd!"
MM_IT_BOT_USER="atvm-bot"
MM_IT_TEAM="it-team"
MM_IT_CHANNEL="it-channel"

export PATH="$PATH:/usr/local/go/bin"

mm_it_log() { echo "[mattermost-it] $*" >&2; }
mm_it_die() { mm_it_log "ERROR: $*"; return 1; }

# The server must only ever reach loopback listeners (tests never leave the machine).
mm_it_check_loopback() {
	case "${MM_IT_COMMAND_URL:-}" in
	"" | http://127.0.0.1:* | http://localhost:* | "http://[::1]:"*) return 0 ;;
	*) mm_it_die "MM_IT_COMMAND_URL must point at 127.0.0.1, localhost or [::1]: $MM_IT_COMMAND_URL" ;;
	esac
}

# --- dependencies ---------------------------------------------------------
mm_it_pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
	[ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

mm_it_deps() {
	local need=()
	mm_it_pg_bindir >/dev/null || need+=(postgresql)
	command -v curl >/dev/null || need+=(curl)
	command -v jq >/dev/null || need+=(jq)
	if [ ${#need[@]} -gt 0 ]; then
		mm_it_log "installing ${need[*]} with apt-get"
		local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
	fi
	command -v go >/dev/null || mm_it_die "go not found (expected /usr/local/go/bin/go)"
}

# --- build ----------------------------------------------------------------
mm_it_build() {
	local bin="$MM_IT_HOME/bin/mattermost"
	if [ -x "$bin" ] && [ -f "$MM_IT_HOME/.complete" ]; then
		return 0
	fi
	local bdir="${MM_IT_CACHE}/${MM_SERVER_VERSION}/build"
	mkdir -p "$bdir" "$MM_IT_HOME/bin"
	cat >"$bdir/go.mod" <<EOF
module mattermost-it-build

go 1.24.11

require (
	github.com/mattermost/mattermost/server/public ${MM_PUBLIC_VERSION}
	github.com/mattermost/mattermost/server/v8 ${MM_SERVER_VERSION}
)

// copied from server/v8's own go.mod (replace directives of dependencies are ignored)
replace github.com/olekukonko/tablewriter => github.com/olekukonko/tablewriter v0.0.5
EOF
	[ -f "$bdir/go.sum" ] || printf '%s\n' "$MM_PINNED_SUMS" >"$bdir/go.sum"
	mm_it_log "building mattermost ${MM_SERVER_VERSION} (cold: ~30 s download + ~4 min compile on 2 cores; warm GOCACHE: seconds)"
	local t0=$SECONDS
	(
		cd "$bdir"
		export GONOSUMDB="github.com/mattermost/mattermost${GONOSUMDB:+,$GONOSUMDB}"
		go build -mod=mod -trimpath -o "$bin.tmp" github.com/mattermost/mattermost/server/v8/cmd/mattermost
		local src
		src=$(go list -mod=mod -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
		rm -rf "$MM_IT_HOME/i18n" "$MM_IT_HOME/templates" "$MM_IT_HOME/fonts"
		cp -r "$src/i18n" "$src/templates" "$src/fonts" "$MM_IT_HOME/"
		chmod -R u+w "$MM_IT_HOME"
	)
	mv "$bin.tmp" "$bin"
	touch "$MM_IT_HOME/.complete"
	mm_it_log "build done in $((SECONDS - t0)) s: $bin"
}

# --- postgres ---------------------------------------------------------------
mm_it_as_pg() { # run a command as the postgres OS user when we are root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mm_it_pg_up() {
	local bindir pgdir="$MM_IT_STATE/pg"
	bindir=$(mm_it_pg_bindir) || mm_it_die "postgres binaries not found"
	mkdir -p "$MM_IT_STATE"
	chmod 755 "$MM_IT_STATE"
	if [ ! -f "$pgdir/data/PG_VERSION" ]; then
		rm -rf "$pgdir"
		if [ "$(id -u)" = 0 ]; then
			install -d -o postgres -g postgres "$pgdir" "$pgdir/sock"
		else
			mkdir -p "$pgdir/sock"
		fi
		mm_it_log "initdb $pgdir/data"
		mm_it_as_pg "$bindir/initdb" -D "$pgdir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
			--auth-local=trust --auth-host=scram-sha-256 >"$MM_IT_STATE/initdb.log" 2>&1 ||
			{ cat "$MM_IT_STATE/initdb.log" >&2; mm_it_die "initdb failed"; }
	fi
	if ! mm_it_as_pg "$bindir/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
		mm_it_log "starting postgres on 127.0.0.1:$MM_IT_PG_PORT"
		# fsync etc. off: throw-away test data, much faster schema migrations
		mm_it_as_pg "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $MM_IT_PG_PORT -k $pgdir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >/dev/null || { tail -n 20 "$pgdir/postgres.log" >&2; mm_it_die "postgres did not start"; }
	fi
	local psql=(psql -X -q -h "$pgdir/sock" -p "$MM_IT_PG_PORT" -U postgres -v ON_ERROR_STOP=1)
	if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='mmuser'")" != 1 ]; then
		"${psql[@]}" -c "CREATE ROLE mmuser LOGIN PASSWORD '$MM_IT_PG_PASSWORD'"
	fi
	if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='mattermost'")" != 1 ]; then
		"${psql[@]}" -c "CREATE DATABASE mattermost OWNER mmuser"
	fi
}

mm_it_pg_down() {
	local bindir pgdir="$MM_IT_STATE/pg"
	bindir=$(mm_it_pg_bindir) || return 0
	[ -f "$pgdir/data/PG_VERSION" ] || return 0
	if mm_it_as_pg "$bindir/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
		mm_it_log "stopping postgres"
		mm_it_as_pg "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null
	fi
}

# --- mattermost -----------------------------------------------------------
mm_it_ping() { curl -fsS -m 2 "$MM_IT_API/system/ping" 2>/dev/null | grep -q '"status":"OK"'; }

mm_it_server_pid() { # prints the pid if our server is alive
	local pid
	pid=$(cat "$MM_IT_STATE/mattermost.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

mm_it_server_up() {
	if mm_it_server_pid >/dev/null && mm_it_ping; then return 0; fi
	if mm_it_ping; then mm_it_die "something else already answers on $MM_IT_URL"; fi
	local mmdir="$MM_IT_STATE/mm"
	mkdir -p "$mmdir/config" "$mmdir/data" "$mmdir/logs"
	local envs=(
		MM_SQLSETTINGS_DRIVERNAME=postgres
		"MM_SQLSETTINGS_DATASOURCE=postgres://mmuser:${MM_IT_PG_PASSWORD}@127.0.0.1:${MM_IT_PG_PORT}/mattermost?sslmode=disable&connect_timeout=10"
		MM_SERVICESETTINGS_SITEURL="$MM_IT_URL"
		MM_SERVICESETTINGS_LISTENADDRESS="127.0.0.1:${MM_IT_PORT}"
		MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true
		MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true
		MM_SERVICESETTINGS_ENABLECOMMANDS=true
		MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE=true
		MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS=true
		MM_SERVICESETTINGS_ENABLEOUTGOINGWEBHOOKS=true
		"MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS=127.0.0.1 localhost ::1"
		MM_SERVICESETTINGS_WEBSERVERMODE=disabled
		MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false
		MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false
		MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false
		MM_LOGSETTINGS_ENABLESENTRY=false
		MM_LOGSETTINGS_CONSOLELEVEL=INFO
		MM_LOGSETTINGS_FILELOCATION="$mmdir/logs"
		MM_FILESETTINGS_DIRECTORY="$mmdir/data/"
		MM_PLUGINSETTINGS_ENABLE=false
		MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false
		MM_PLUGINSETTINGS_ENABLEREMOTEMARKETPLACE=false
		MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false
		MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED=false
		MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED=false
		MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false
		MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS=false
		MM_RATELIMITSETTINGS_ENABLE=false
	)
	mm_it_log "starting mattermost on $MM_IT_URL (log: $mmdir/server.log)"
	local t0=$SECONDS
	# cwd = the dir holding i18n/ templates/ fonts/ (the binary also looks beside bin/)
	(trap '' HUP && cd "$MM_IT_HOME" && exec env "${envs[@]}" ./bin/mattermost --config "$mmdir/config/config.json" \
		</dev/null >>"$mmdir/server.log" 2>&1) &
	local pid=$!
	echo "$pid" >"$MM_IT_STATE/mattermost.pid"
	while ! mm_it_ping; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$mmdir/server.log" >&2
			mm_it_die "mattermost exited during start-up"
		fi
		if [ $((SECONDS - t0)) -ge "$MM_IT_START_TIMEOUT" ]; then
			tail -n 30 "$mmdir/server.log" >&2
			mm_it_die "mattermost not healthy after ${MM_IT_START_TIMEOUT}s"
		fi
		sleep 0.2
	done
	mm_it_log "mattermost healthy after $((SECONDS - t0)) s (pid $pid)"
}

mm_it_server_down() {
	local pid
	if pid=$(mm_it_server_pid); then
		mm_it_log "stopping mattermost (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$MM_IT_STATE/mattermost.pid"
}

# --- REST helpers -----------------------------------------------------------
# mm_it_req METHOD PATH TOKEN [JSON]: sets MM_IT_CODE (HTTP status) and MM_IT_BODY.
# Call it directly (not inside $(...)), or the two variables are lost.
mm_it_req() {
	local method=$1 path=$2 token=$3 data=${4:-}
	local resp="$MM_IT_STATE/.resp"
	rm -f "$resp"
	local args=(-sS -m 30 -X "$method" -o "$resp" -w '%{http_code}' -H 'Content-Type: application/json')
	[ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
	[ -n "$data" ] && args+=(--data-binary "$data")
	MM_IT_CODE=$(curl "${args[@]}" "$MM_IT_API$path") || MM_IT_CODE=000
	MM_IT_BODY=$(cat "$resp" 2>/dev/null || true)
}
mm_it_ok() { case "$MM_IT_CODE" in 2??) return 0 ;; *) return 1 ;; esac; }
mm_it_must() { # mm_it_req that fails on non-2xx; also prints the body
	mm_it_req "$@"
	mm_it_ok || { echo "$MM_IT_BODY" >&2; mm_it_die "$1 $2 -> HTTP $MM_IT_CODE"; return 1; }
	printf '%s' "$MM_IT_BODY"
}
mm_it_saved() { # value of KEY in the saved env file
	sed -n "s/^$1=//p" "$MM_IT_STATE/mm-it.env" 2>/dev/null | tail -n1
}
mm_it_token_valid() { # token expected_user_id
	[ -n "$1" ] || return 1
	mm_it_req GET /users/me "$1"
	mm_it_ok && [ "$(jq -r .id <<<"$MM_IT_BODY")" = "$2" ]
}
mm_it_login_token() { # username password -> session token
	curl -sS -m 30 -D - -o /dev/null -H 'Content-Type: application/json' \
		--data-binary "$(jq -nc --arg l "$1" --arg p "$2" '{login_id:$l,password:$p}')" \
		"$MM_IT_API/users/login" | tr -d '\r' | sed -n 's/^[Tt]oken: //p'
}
mm_it_pat() { # user_id saved_key -> valid personal access token (reused when still valid)
	local uid=$1 key=$2 tok
	tok=$(mm_it_saved "$key")
	if mm_it_token_valid "$tok" "$uid"; then echo "$tok"; return 0; fi
	mm_it_must POST "/users/$uid/tokens" "$MM_IT_SESSION" '{"description":"integration tests"}' | jq -r .token
}
mm_it_ensure_user() { # username password email -> user id (created by admin when missing)
	mm_it_req GET "/users/username/$1" "$MM_IT_SESSION"
	if mm_it_ok; then jq -r .id <<<"$MM_IT_BODY"; return 0; fi
	mm_it_must POST /users "$MM_IT_SESSION" \
		"$(jq -nc --arg u "$1" --arg p "$2" --arg e "$3" '{username:$u,password:$p,email:$e}')" | jq -r .id
}

# --- bootstrap ----------------------------------------------------------------
mm_it_bootstrap() {
	local body admin_id team_id channel_id user_id bot_id
	# admin: the first user created on an empty server becomes system_admin
	MM_IT_SESSION=$(mm_it_login_token "$MM_IT_ADMIN_USER" "$MM_IT_ADMIN_PASS")
	if [ -z "$MM_IT_SESSION" ]; then
		mm_it_must POST /users "" "$(jq -nc --arg u "$MM_IT_ADMIN_USER" --arg p "$MM_IT_ADMIN_PASS" \
			'{username:$u,password:$p,email:"admin@example.com"}')" >/dev/null
		MM_IT_SESSION=$(mm_it_login_token "$MM_IT_ADMIN_USER" "$MM_IT_ADMIN_PASS")
	fi
	[ -n "$MM_IT_SESSION" ] || mm_it_die "cannot log in as $MM_IT_ADMIN_USER"
	body=$(mm_it_must GET /users/me "$MM_IT_SESSION")
	admin_id=$(jq -r .id <<<"$body")
	jq -e '.roles | contains("system_admin")' <<<"$body" >/dev/null ||
		mm_it_die "$MM_IT_ADMIN_USER is not system_admin (database not empty?) — run: $0 reset"

	mm_it_req GET "/teams/name/$MM_IT_TEAM" "$MM_IT_SESSION"
	if mm_it_ok; then team_id=$(jq -r .id <<<"$MM_IT_BODY"); else
		team_id=$(mm_it_must POST /teams "$MM_IT_SESSION" \
			"{\"name\":\"$MM_IT_TEAM\",\"display_name\":\"IT Team\",\"type\":\"O\"}" | jq -r .id)
	fi
	mm_it_req GET "/teams/$team_id/channels/name/$MM_IT_CHANNEL" "$MM_IT_SESSION"
	if mm_it_ok; then channel_id=$(jq -r .id <<<"$MM_IT_BODY"); else
		channel_id=$(mm_it_must POST /channels "$MM_IT_SESSION" \
			"{\"team_id\":\"$team_id\",\"name\":\"$MM_IT_CHANNEL\",\"display_name\":\"IT Channel\",\"type\":\"O\"}" | jq -r .id)
	fi

	user_id=$(mm_it_ensure_user "$MM_IT_USER_USER" "$MM_IT_USER_PASS" "alice@example.com")

	mm_it_req GET "/users/username/$MM_IT_BOT_USER" "$MM_IT_SESSION"
	if mm_it_ok; then bot_id=$(jq -r .id <<<"$MM_IT_BODY"); else
		bot_id=$(mm_it_must POST /bots "$MM_IT_SESSION" \
			"{\"username\":\"$MM_IT_BOT_USER\",\"display_name\":\"ATVM Bot\",\"description\":\"integration test bot\"}" | jq -r .user_id)
	fi

	local uid
	for uid in "$user_id" "$bot_id"; do # adding an existing member is a no-op
		mm_it_must POST "/teams/$team_id/members" "$MM_IT_SESSION" "{\"team_id\":\"$team_id\",\"user_id\":\"$uid\"}" >/dev/null
		mm_it_must POST "/channels/$channel_id/members" "$MM_IT_SESSION" "{\"user_id\":\"$uid\"}" >/dev/null
	done

	local admin_tok user_tok bot_tok
	admin_tok=$(mm_it_pat "$admin_id" MM_ADMIN_TOKEN)
	user_tok=$(mm_it_pat "$user_id" MM_USER_TOKEN)
	bot_tok=$(mm_it_pat "$bot_id" MM_BOT_TOKEN)

	local cmd_lines=""
	if [ -n "${MM_IT_COMMAND_URL:-}" ]; then
		local cmd
		cmd=$(mm_it_must GET "/commands?team_id=$team_id&custom_only=true" "$MM_IT_SESSION" |
			jq -c --arg t "$MM_IT_COMMAND_TRIGGER" '[.[] | select(.trigger==$t)][0] // empty')
		if [ -n "$cmd" ]; then
			cmd=$(jq -c --arg u "$MM_IT_COMMAND_URL" '.url=$u | .method="P"' <<<"$cmd")
			cmd=$(mm_it_must PUT "/commands/$(jq -r .id <<<"$cmd")" "$MM_IT_SESSION" "$cmd")
		else
			cmd=$(mm_it_must POST /commands "$MM_IT_SESSION" "$(jq -nc --arg team "$team_id" \
				--arg t "$MM_IT_COMMAND_TRIGGER" --arg u "$MM_IT_COMMAND_URL" \
				'{team_id:$team,trigger:$t,method:"P",url:$u,display_name:$t,auto_complete:true,auto_complete_desc:"integration test command"}')")
		fi
		cmd_lines="MM_COMMAND_ID=$(jq -r .id <<<"$cmd")
MM_COMMAND_TOKEN=$(jq -r .token <<<"$cmd")
MM_COMMAND_TRIGGER=$MM_IT_COMMAND_TRIGGER"
	fi

	local version
	version=$(curl -sS -m 5 -D - -o /dev/null "$MM_IT_API/system/ping" | tr -d '\r' | sed -n 's/^X-Version-Id: //Ip')
	{
		echo "MM_URL=$MM_IT_URL"
		echo "MM_WS_URL=ws://127.0.0.1:${MM_IT_PORT}"
		echo "MM_TEAM_ID=$team_id"
		echo "MM_TEAM_NAME=$MM_IT_TEAM"
		echo "MM_CHANNEL_ID=$channel_id"
		echo "MM_CHANNEL_NAME=$MM_IT_CHANNEL"
		echo "MM_ADMIN_USER_ID=$admin_id"
		echo "MM_ADMIN_USERNAME=$MM_IT_ADMIN_USER"
		echo "MM_ADMIN_PASSWORD=$MM_IT_ADMIN_PASS"
		echo "MM_ADMIN_TOKEN=$admin_tok"
		echo "MM_USER_ID=$user_id"
		echo "MM_USER_USERNAME=$MM_IT_USER_USER"
		echo "MM_USER_PASSWORD=$MM_IT_USER_PASS"
		echo "MM_USER_TOKEN=$user_tok"
		echo "MM_BOT_USER_ID=$bot_id"
		echo "MM_BOT_USERNAME=$MM_IT_BOT_USER"
		echo "MM_BOT_TOKEN=$bot_tok"
		[ -z "$cmd_lines" ] || echo "$cmd_lines"
		echo "MM_SERVER_PID=$(mm_it_server_pid || true)"
		echo "MM_SERVER_VERSION_STRING=$version"
		echo "PG_PORT=$MM_IT_PG_PORT"
		echo "MM_ENV_FILE=$MM_IT_STATE/mm-it.env"
	} >"$MM_IT_STATE/mm-it.env.tmp"
	mv "$MM_IT_STATE/mm-it.env.tmp" "$MM_IT_STATE/mm-it.env"
}

# --- commands (run with set -euo pipefail by the dispatcher at the bottom) -----
_mm_it_up() {
	mm_it_check_loopback
	mm_it_deps
	mm_it_build
	mm_it_pg_up
	mm_it_server_up
	mm_it_bootstrap
	cat "$MM_IT_STATE/mm-it.env"
}

_mm_it_env() {
	{ mm_it_server_pid >/dev/null && mm_it_ping; } || mm_it_die "not running; use: $MM_IT_SCRIPT up"
	cat "$MM_IT_STATE/mm-it.env"
}

_mm_it_down() {
	mm_it_server_down
	mm_it_pg_down
}

_mm_it_status() {
	local pid bindir
	if pid=$(mm_it_server_pid) && mm_it_ping; then echo "mattermost: running (pid $pid) at $MM_IT_URL"; else echo "mattermost: stopped"; fi
	if bindir=$(mm_it_pg_bindir) && [ -f "$MM_IT_STATE/pg/data/PG_VERSION" ] &&
		mm_it_as_pg "$bindir/pg_ctl" -D "$MM_IT_STATE/pg/data" status >/dev/null 2>&1; then
		echo "postgres: running on 127.0.0.1:$MM_IT_PG_PORT"
	else echo "postgres: stopped"; fi
}

_mm_it_reset() {
	_mm_it_down
	rm -rf "$MM_IT_STATE"
	mm_it_log "state removed ($MM_IT_STATE); the built binary stays in $MM_IT_HOME"
}

# --- when sourced: thin wrappers that run the script as its own process ---------
mm_it_up() { # also exports the KEY=VALUE lines into the calling shell
	local out
	out=$(bash "$MM_IT_SCRIPT" up) || return
	set -a
	# shellcheck disable=SC1090
	. <(printf '%s\n' "$out")
	set +a
	printf '%s\n' "$out"
}
mm_it_down() { bash "$MM_IT_SCRIPT" down; }
mm_it_env() { bash "$MM_IT_SCRIPT" env; }
mm_it_status() { bash "$MM_IT_SCRIPT" status; }
mm_it_reset() { bash "$MM_IT_SCRIPT" reset; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-up}" in
	up) _mm_it_up ;;
	env) _mm_it_env ;;
	down | stop) _mm_it_down ;;
	status) _mm_it_status ;;
	reset) _mm_it_reset ;;
	build) mm_it_deps && mm_it_build && echo "$MM_IT_HOME/bin/mattermost" ;;
	*) echo "usage: $0 [up|env|status|down|reset|build]" >&2; exit 2 ;;
	esac
fi
