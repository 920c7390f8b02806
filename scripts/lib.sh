# Shared shell functions of the set-up scripts (sourced, not executed).
#
# Every function is idempotent: it checks before it changes anything, so `make demo` and
# `make test` can run again and again on the same machine and on a fresh one.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
RUN="$VAR/run"
ENV_FILE="$ROOT/.env"
CKAN_VENV="$ROOT/.venv/ckan"
AIRFLOW_VENV="$ROOT/.venv/airflow"
PYTHON="${PYTHON:-python3}"

: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
: "${REDIS_PORT:=6379}"
: "${CKAN_PORT:=5000}"
export PGHOST PGPORT
# Python keeps compiled modules (__pycache__, ignored by git): a machine that sets PYTHONDONTWRITEBYTECODE
# makes every process compile the extension, the DAGs and pytest's rewritten test modules again.
unset PYTHONDONTWRITEBYTECODE

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# die WHAT WHAT-TO-DO: stop with a message that says what is wrong and what to do about it.
die() {
    printf '\nERROR: %s\n' "$1" >&2
    [ $# -gt 1 ] && printf 'What to do: %s\n' "$2" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages -----------------------------------------------------------------------

package_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# ensure_packages PKG...: install the Debian packages that are missing, nothing else.
ensure_packages() {
    local missing=() package
    for package in "$@"; do
        package_installed "$package" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing Debian packages: ${missing[*]}"
    local log="$VAR/apt.log"
    mkdir -p "$VAR"
    if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 5 "$log" >&2
        die "Could not install the Debian package(s) ${missing[*]} (full apt output in $log)." \
            "Install them yourself (sudo apt-get install ${missing[*]}), check your apt sources and network, then run the command again."
    fi
}

# --- Python environments -----------------------------------------------------------------

# ensure_venv DIR LOCKFILE [EXTRA_PIP_ARGS...]: create the venv and install the lock file; do
# nothing when the lock file has not changed since the last successful install.
ensure_venv() {
    local venv="$1" lock="$2"
    shift 2
    local stamp="$venv/.installed-$(sha256sum "$lock" | cut -c1-16)"
    [ -f "$stamp" ] && return 0
    say "Installing Python packages into ${venv#"$ROOT"/} from ${lock#"$ROOT"/} (first run takes a few minutes)"
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv" || die "Could not create $venv." \
        "Install the Debian package python3-venv, then run the command again."
    "$venv/bin/pip" install -q --upgrade pip setuptools wheel
    "$venv/bin/pip" install -q -r "$lock" "$@" || die "pip could not install ${lock#"$ROOT"/} into $venv." \
        "Read pip's message above; delete $venv and run the command again if it is damaged."
    rm -f "$venv"/.installed-*
    touch "$stamp"
}

# ensure_npm DIR WHAT: install DIR's npm packages from its committed package-lock.json, again
# only when the lock file changed (Node.js from Debian unless node and npm are already there).
ensure_npm() {
    local dir="$1" what="$2"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        ensure_packages nodejs npm
    fi
    local stamp="$dir/node_modules/.installed-$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
    [ -f "$stamp" ] && return 0
    say "Installing $what (npm)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) \
        || die "npm could not install $what from ${dir#"$ROOT"/}/package-lock.json." "Check access to the npm registry and run the command again."
    rm -f "$dir"/node_modules/.installed-*
    touch "$stamp"
}

# --- services ----------------------------------------------------------------------------

postgres_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

# ensure_postgres: start the local cluster if it is not answering; remember that we started it.
ensure_postgres() {
    postgres_ready && return 0
    if [ "$PGHOST" = 127.0.0.1 ] || [ "$PGHOST" = localhost ]; then
        say "Starting PostgreSQL"
        if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
            as_root systemctl start postgresql || true
        else
            local version
            for version in $(ls /etc/postgresql 2>/dev/null); do
                as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
            done
        fi
        for _ in $(seq 1 30); do postgres_ready && break; sleep 1; done
        postgres_ready && echo postgres >>"$RUN/started-services"
    fi
    postgres_ready || die "PostgreSQL is not reachable on $PGHOST:$PGPORT." \
        "Start it (sudo systemctl start postgresql, or sudo pg_ctlcluster <version> main start) or point PGHOST/PGPORT in .env at a running server; then run the command again."
}

redis_ready() { "$PYTHON" - "$REDIS_PORT" <<'PY' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}

ensure_redis() {
    redis_ready && return 0
    say "Starting Redis"
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
        as_root systemctl start redis-server || true
    else
        as_root mkdir -p /var/lib/redis /var/log/redis
        as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/chemnitz-portal.log || true
    fi
    for _ in $(seq 1 10); do redis_ready && break; sleep 1; done
    redis_ready || die "Redis is not reachable on 127.0.0.1:$REDIS_PORT." \
        "Start it (sudo systemctl start redis-server) and run the command again."
    echo redis >>"$RUN/started-services"
}

# require_port_free PORT WHAT: fail with the process that holds the port.
require_port_free() {
    local port="$1" what="$2" holder
    # SO_REUSEADDR as servers use it: connections in TIME_WAIT from an earlier run do not count.
    if ! "$PYTHON" -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; then
        holder="$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1)"
        die "Port $port, which $what needs, is already in use${holder:+ by $holder}." \
            "Stop that program (if it is an earlier 'make demo', run 'make stop'), or choose another port with CKAN_PORT=<port> in .env; then run the command again."
    fi
}

# wait_for_url URL SECONDS PID WHAT LOG: wait until URL answers; fail early when PID has exited.
wait_for_url() {
    local url="$1" seconds="$2" pid="$3" what="$4" log="$5"
    for _ in $(seq 1 "$seconds"); do
        curl -fsS "$url" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || die "$what did not start (log: $log)." "Read the log, fix the cause and run the command again."
        sleep 1
    done
    die "$what did not answer within $seconds s (log: $log)." "Read the log, then run the command again."
}

# start_ckan INI PORT NAME WORKERS: CKAN under gunicorn in the background (pid $RUN/NAME.pid,
# logs $VAR/NAME.log and $VAR/NAME-access.log), returning once it answers.
start_ckan() {
    local ini="$1" port="$2" name="$3" workers="$4"
    CKAN_INI="$ini" "$CKAN_VENV/bin/gunicorn" --chdir "$ROOT/scripts" --workers "$workers" --timeout 120 \
        --bind "127.0.0.1:$port" --pid "$RUN/$name.pid" --access-logfile "$VAR/$name-access.log" \
        --error-logfile "$VAR/$name.log" wsgi:application >>"$VAR/$name.log" 2>&1 &
    wait_for_url "http://127.0.0.1:$port/api/3/action/status_show" 90 $! "CKAN ($name)" "$VAR/$name.log"
}

# --- PostgreSQL objects --------------------------------------------------------------------

# psql_admin ARGS...: psql as the database superuser. A local server is reached through the Unix
# socket, where Debian's pg_hba.conf lets the postgres user in by peer authentication (over TCP it
# would ask for a password it has not got).
psql_admin() {
    local host="$PGHOST"
    case "$host" in 127.0.0.1 | localhost | ::1) host=/var/run/postgresql ;; esac
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env PGHOST="$host" psql -X -q -v ON_ERROR_STOP=1 "$@"
    else
        sudo -u postgres env PGHOST="$host" psql -X -q -v ON_ERROR_STOP=1 "$@"
    fi
}

# ensure_role NAME PASSWORD: create the login role or reset its password.
ensure_role() {
    psql_admin -v name="$1" -v password="$2" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'name', :'password') \gexec
SQL
}

# ensure_database NAME OWNER
ensure_database() {
    psql_admin -v name="$1" -v owner="$2" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'name', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
SQL
}

# --- .env ------------------------------------------------------------------------------------

# env_get KEY: the value of KEY in .env (empty if missing).
env_get() { [ -f "$ENV_FILE" ] && sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }

# env_set KEY VALUE: write or replace KEY in .env (kept private: mode 600).
env_set() {
    touch "$ENV_FILE" && chmod 600 "$ENV_FILE"
    if grep -q "^$1=" "$ENV_FILE"; then
        local escaped
        escaped="$(printf '%s' "$2" | sed 's/[\/&|]/\\&/g')"
        sed -i "s|^$1=.*|$1=$escaped|" "$ENV_FILE"
    else
        printf '%s=%s\n' "$1" "$2" >>"$ENV_FILE"
    fi
}

# env_secret KEY: the stored secret, generated once.
env_secret() {
    local value
    value="$(env_get "$1")"
    if [ -z "$value" ]; then
        value="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')"
        env_set "$1" "$value"
    fi
    printf '%s' "$value"
}
