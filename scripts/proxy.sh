#!/usr/bin/env bash
# The production proxy outside a container: Debian's nginx runs docker/proxy/portal.conf.template,
# the file the proxy image runs, with a self-signed certificate from docker/proxy/certificate.sh.
# Used by make demo (PROXY_TLS=off), the proxy test (tests/pipelines/test_celery_deployment.py), the
# page benchmark and the Lighthouse benchmark.
#
# Usage: scripts/proxy.sh start | stop
#
# Settings (environment):
#   PROXY_DIR          its folder: configuration, certificate, cache, logs, pid (default var/proxy)
#   PROXY_HTTP_PORT    where it answers HTTP (redirects to HTTPS; default 8880)
#   PROXY_HTTPS_PORT   where it answers HTTPS (default 8443)
#   PROXY_CKAN_PORT    the CKAN (gunicorn) it forwards to on 127.0.0.1 (default CKAN_PORT, 5000)
#   PROXY_AIRFLOW_PORT Airflow's API server for /airflow/ on 127.0.0.1 (default AIRFLOW_PORT, 8080);
#                      Airflow must serve under /airflow (AIRFLOW__API__BASE_URL), as in docker/compose.yaml
#   PROXY_TLS          `off`: the portal's server block answers plain HTTP on PROXY_HTTP_PORT (make demo
#                      on http://127.0.0.1:5000, without a certificate warning): the same compression and
#                      caching, HSTS sent but ignored by browsers on http; the HTTP-to-HTTPS redirect server
#                      listens on a Unix socket in PROXY_DIR instead, and CKAN is told the visitor came by http
#
# What differs from the image is only where things are: the template is rendered for the host name
# 127.0.0.1 as the image's envsubst renders it for PORTAL_HOSTNAME, and then the compose service
# names (ckan:5000, airflow-api-server:8080), the listen ports 80/443 and the container paths
# (/etc/nginx/certs, /var/cache/nginx) are replaced by the local ones. Each of these must be found:
# a template that no longer has one stops the start instead of running something else.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${PROXY_DIR:=$VAR/proxy}"
: "${PROXY_HTTP_PORT:=8880}"
: "${PROXY_HTTPS_PORT:=8443}"
: "${PROXY_CKAN_PORT:=$CKAN_PORT}"
: "${PROXY_AIRFLOW_PORT:=${AIRFLOW_PORT:-8080}}"
: "${PROXY_TLS:=on}"
TEMPLATE="$ROOT/docker/proxy/portal.conf.template"

# replace TEXT OLD NEW: TEXT with every OLD replaced by NEW; fails when OLD is not in TEXT.
replace() {
    case "$1" in
    *"$2"*) printf '%s' "${1//"$2"/"$3"}" ;;
    *) die "docker/proxy/portal.conf.template no longer contains '$2'." "Update scripts/proxy.sh to the template." ;;
    esac
}

start() {
    ensure_packages nginx
    require_port_free "$PROXY_HTTP_PORT" "the proxy (HTTP)"
    [ "$PROXY_TLS" = off ] || require_port_free "$PROXY_HTTPS_PORT" "the proxy (HTTPS)"
    mkdir -p "$PROXY_DIR/certs" "$PROXY_DIR/cache" "$PROXY_DIR/temp"
    PORTAL_HOSTNAME=127.0.0.1 PROXY_CERT_DIR="$PROXY_DIR/certs" sh "$ROOT/docker/proxy/certificate.sh" \
        >"$PROXY_DIR/certificate.log" 2>&1 || die "Creating the proxy's certificate failed (log: $PROXY_DIR/certificate.log)."
    # as the nginx image does: only ${PORTAL_HOSTNAME} is substituted, nginx's own $variables stay
    local site
    site="$(PORTAL_HOSTNAME=127.0.0.1 envsubst '${PORTAL_HOSTNAME}' <"$TEMPLATE")"
    site="$(replace "$site" "server ckan:5000;" "server 127.0.0.1:$PROXY_CKAN_PORT;")"
    site="$(replace "$site" "server airflow-api-server:8080;" "server 127.0.0.1:$PROXY_AIRFLOW_PORT;")"
    if [ "$PROXY_TLS" = off ]; then
        rm -f "$PROXY_DIR/redirect.sock"  # left behind when an earlier nginx was killed
        site="$(replace "$site" "listen 80;" "listen unix:$PROXY_DIR/redirect.sock;")"
        site="$(replace "$site" "listen 443 ssl http2;" "listen 127.0.0.1:$PROXY_HTTP_PORT;")"
        site="$(replace "$site" "X-Forwarded-Proto https;" "X-Forwarded-Proto http;")"
    else
        site="$(replace "$site" "listen 80;" "listen 127.0.0.1:$PROXY_HTTP_PORT;")"
        site="$(replace "$site" "listen 443 " "listen 127.0.0.1:$PROXY_HTTPS_PORT ")"
    fi
    site="$(replace "$site" "/etc/nginx/certs/" "$PROXY_DIR/certs/")"
    site="$(replace "$site" "/var/cache/nginx/" "$PROXY_DIR/cache/")"
    printf '%s\n' "$site" >"$PROXY_DIR/portal.conf"
    # the frame the image's /etc/nginx/nginx.conf gives the site, with every path in PROXY_DIR
    cat >"$PROXY_DIR/nginx.conf" <<EOF
user $(id -un) $(id -gn);
worker_processes 1;
pid $PROXY_DIR/nginx.pid;
error_log $PROXY_DIR/error.log notice;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $PROXY_DIR/access.log;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path $PROXY_DIR/temp/body;
    proxy_temp_path $PROXY_DIR/temp/proxy;
    fastcgi_temp_path $PROXY_DIR/temp/fastcgi;
    uwsgi_temp_path $PROXY_DIR/temp/uwsgi;
    scgi_temp_path $PROXY_DIR/temp/scgi;
    include $PROXY_DIR/portal.conf;
}
EOF
    nginx -q -t -p "$PROXY_DIR" -c "$PROXY_DIR/nginx.conf" -g 'daemon on;' >"$PROXY_DIR/check.log" 2>&1 \
        || die "nginx refuses the rendered configuration: $(tail -n 3 "$PROXY_DIR/check.log")" "Read $PROXY_DIR/portal.conf."
    nginx -p "$PROXY_DIR" -c "$PROXY_DIR/nginx.conf" -g 'daemon on;' \
        || die "nginx did not start (log: $PROXY_DIR/error.log)."
    local health=("http://127.0.0.1:$PROXY_HTTP_PORT/healthz")
    [ "$PROXY_TLS" != off ] || health=(--unix-socket "$PROXY_DIR/redirect.sock" http://127.0.0.1/healthz)
    for _ in $(seq 1 50); do
        curl -fsS -o /dev/null "${health[@]}" 2>/dev/null && return 0
        sleep 0.1
    done
    die "The proxy did not answer on port $PROXY_HTTP_PORT (log: $PROXY_DIR/error.log)."
}

stop() {
    [ -s "$PROXY_DIR/nginx.pid" ] || return 0
    local pid
    pid="$(cat "$PROXY_DIR/nginx.pid")"
    kill -QUIT "$pid" 2>/dev/null || true  # graceful: workers finish their requests
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$PROXY_DIR/nginx.pid"
}

"${1:?usage: proxy.sh start|stop}"
