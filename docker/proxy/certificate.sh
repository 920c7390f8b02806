#!/bin/sh
# Runs before nginx starts (the nginx image's /docker-entrypoint.d): without a certificate in the
# certs volume, create a self-signed one for PORTAL_HOSTNAME so the portal comes up; replace
# fullchain.pem and privkey.pem with the city's certificate and restart the proxy.
# scripts/proxy.sh runs the same file outside the image with PROXY_CERT_DIR set.
set -eu
dir=${PROXY_CERT_DIR:-/etc/nginx/certs}
# A host name goes into the certificate as a DNS name, an IPv4 address (e.g. 127.0.0.1) as an IP
# address: clients check an address only against the certificate's IP entries.
case "$PORTAL_HOSTNAME" in
    *[!0-9.]*) san="DNS:$PORTAL_HOSTNAME" ;;
    *) san="IP:$PORTAL_HOSTNAME" ;;
esac
if [ ! -s "$dir/fullchain.pem" ] || [ ! -s "$dir/privkey.pem" ]; then
    echo "certificate.sh: no certificate in $dir, creating a self-signed one for $PORTAL_HOSTNAME"
    openssl req -x509 -newkey rsa:3072 -nodes -days 90 -subj "/CN=$PORTAL_HOSTNAME" \
        -addext "subjectAltName=$san" -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem"
fi
