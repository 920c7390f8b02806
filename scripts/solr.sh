#!/usr/bin/env bash
# The portal's SolrCloud on this machine (solr/launcher): two Solr nodes with embedded ZooKeeper
# on 127.0.0.1 and the collection "ckan" from docker/solr/conf, 2 shards x 2 replicas.
#
# Usage: scripts/solr.sh start|stop|status|node stop|start N
#   start   build the launcher once (Maven; downloads cached in var/maven, so later starts need no
#           network), start the cluster in the background (pid var/run/$SOLR_NAME.pid, log var/$SOLR_NAME.log)
#           and return once the collection answers; does nothing when it already runs
#   stop    stop it (`make stop` stops it, too)
#   status  say whether it runs; exit 0 when the collection answers, 3 when it is not running
#   node stop|start N  stop node N (1 or 2) as Solr's own tests take a node away, or bring it back with its cores
#           (the launcher's control port; the fault tests in tests/solr use it)
#
# Settings (environment or .env): SOLR_PORT (first node, default 8983; the second node listens on
# SOLR_PORT+1, ZooKeeper on SOLR_PORT+1000, the launcher's control port on SOLR_PORT+1001), SOLR_HEAP (the JVM's heap, default 1g),
# SOLR_JAVA_OPTS (further JVM options, split at spaces; make test's short-lived cluster uses a
# cheaper JIT: scripts/test.sh), SOLR_NAME (default solr: pid file var/run/NAME.pid, log var/NAME.log, data var/NAME/; another name and
# port run a second cluster beside the first, as `make bench` does while `make test` may use the first).
# Every start begins with an empty collection: `ckan search-index rebuild` fills it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SOLR_PORT="${SOLR_PORT:-$(env_get SOLR_PORT)}"
SOLR_PORT="${SOLR_PORT:-8983}"
SOLR_HEAP="${SOLR_HEAP:-$(env_get SOLR_HEAP)}"
SOLR_HEAP="${SOLR_HEAP:-1g}"
SOLR_NAME="${SOLR_NAME:-solr}"
SOLR_JAVA_OPTS="${SOLR_JAVA_OPTS:-}"
[[ "$SOLR_NAME" =~ ^[a-z][a-z0-9-]*$ ]] || die "SOLR_NAME=$SOLR_NAME is not a plain name." "Use lower-case letters, digits and '-' (e.g. solr-bench)."
COLLECTION=ckan
LAUNCHER="$ROOT/solr/launcher"
PIDFILE="$RUN/$SOLR_NAME.pid"
LOG="$VAR/$SOLR_NAME.log"
URL="http://127.0.0.1:$SOLR_PORT/solr/$COLLECTION"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
answers() { curl -fsS "$URL/admin/ping?wt=json" 2>/dev/null | grep -q '"status":"OK"'; }

# build: compile the launcher and list its classpath, once per change of its sources.
build() {
    command -v java >/dev/null || die "Java is not installed; the SolrCloud needs Java 17 or newer." \
        "Install it (sudo apt-get install openjdk-17-jdk-headless) and run the command again."
    local version
    version="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    [ "${version%%.*}" -ge 17 ] 2>/dev/null || die "Java ${version:-of unknown version} is too old; Solr 9 needs Java 17 or newer." \
        "Install Java 17 (sudo apt-get install openjdk-17-jdk-headless) or put a newer one first on PATH; then run the command again."
    local stamp="$LAUNCHER/target/.built-$(cat "$LAUNCHER/pom.xml" "$LAUNCHER"/src/main/java/de/chemnitz/solr/*.java \
        "$LAUNCHER"/src/main/resources/* | sha256sum | cut -c1-16)"
    local first
    first="$(cut -d: -f1 "$LAUNCHER/target/classpath.txt" 2>/dev/null || true)"
    [ -f "$stamp" ] && [ -n "$first" ] && [ -f "$first" ] && return 0
    command -v mvn >/dev/null || die "Maven is not installed; it builds the SolrCloud launcher from Maven Central." \
        "Install it (sudo apt-get install maven) and run the command again."
    say "Building the Solr launcher (the first build downloads Solr from Maven Central into var/maven)"
    mkdir -p "$VAR/maven"
    mvn -B -q -Dmaven.repo.local="$VAR/maven" -f "$LAUNCHER/pom.xml" package >"$VAR/solr-build.log" 2>&1 \
        || { tail -n 20 "$VAR/solr-build.log" >&2; die "Building the Solr launcher failed (log: $VAR/solr-build.log)." \
            "Read the log; check access to Maven Central (the first build downloads about 130 MB), then run the command again."; }
    rm -f "$LAUNCHER"/target/.built-*
    touch "$stamp"
}

start() {
    if running; then
        answers && return 0
        die "The SolrCloud (pid $(cat "$PIDFILE")) runs but $URL does not answer (log: $LOG)." \
            "Wait a moment if it is starting; otherwise run scripts/solr.sh stop and start it again."
    fi
    build
    local port
    for port in "$SOLR_PORT" "$((SOLR_PORT + 1))" "$((SOLR_PORT + 1000))" "$((SOLR_PORT + 1001))"; do
        (require_port_free "$port" "Solr" 2>/dev/null) || die "Port $port, which the SolrCloud needs, is already in use." \
            "Stop the program that holds it (ss -ltnp 'sport = :$port' names it; an earlier Solr: scripts/solr.sh stop), or set SOLR_PORT=<port> in .env (Solr then also uses <port>+1 and <port>+1000); then run the command again."
    done
    say "Starting the SolrCloud (2 nodes, collection $COLLECTION: 2 shards x 2 replicas) on 127.0.0.1:$SOLR_PORT"
    mkdir -p "$RUN"
    (cd "$ROOT" && SOLR_PORT="$SOLR_PORT" SOLR_HOME="$VAR/$SOLR_NAME" SOLR_CONFIGSET="$ROOT/docker/solr/conf" \
        SOLR_COLLECTION="$COLLECTION" exec setsid java "-Xmx$SOLR_HEAP" $SOLR_JAVA_OPTS "-Dsolr.log.dir=$VAR" \
        -cp "$LAUNCHER/target/solr-launcher-1.0.jar:$(cat "$LAUNCHER/target/classpath.txt")" \
        de.chemnitz.solr.SolrCloudLauncher >"$LOG" 2>&1) &
    echo $! >"$PIDFILE"
    wait_for_url "$URL/admin/ping?wt=json" 180 "$(cat "$PIDFILE")" "The SolrCloud" "$LOG"
}

stop() {
    running || { rm -f "$PIDFILE"; return 0; }
    local pid
    pid="$(cat "$PIDFILE")"
    say "Stopping the SolrCloud (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    # The JVM shuts the nodes and ZooKeeper down in order; that takes a few seconds.
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
}

status() {
    if ! running; then
        echo "The SolrCloud is not running."
        return 3
    fi
    if answers; then
        echo "The SolrCloud runs (pid $(cat "$PIDFILE")): $URL, nodes on ports $SOLR_PORT and $((SOLR_PORT + 1))."
        return 0
    fi
    echo "The SolrCloud (pid $(cat "$PIDFILE")) runs but $URL does not answer (log: $LOG)."
    return 1
}

# node stop|start N: one command to the launcher's control port, its answer printed.
node() {
    running || die "The SolrCloud is not running." "Start it with scripts/solr.sh start."
    case "${1:-} ${2:-}" in
    "stop "[0-9]* | "start "[0-9]*) ;;
    *) die "usage: scripts/solr.sh node stop|start N" ;;
    esac
    local answer
    exec 3<>"/dev/tcp/127.0.0.1/$((SOLR_PORT + 1001))"
    echo "$1 $2" >&3
    read -r answer <&3
    exec 3>&-
    echo "$answer"
    [ "${answer%%:*}" = ok ]
}

case "${1:-}" in
start | stop | status) "$1" ;;
node) node "${2:-}" "${3:-}" ;;
*) die "usage: scripts/solr.sh start|stop|status|node stop|start N" ;;
esac
