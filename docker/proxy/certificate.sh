#!/bin/sh
# Runs before nginx starts (the nginx image's /docker-entrypoint.d): without a certificate in the
# certs volume, create a self-signed one for PORTAL_HOSTNAME so the portal comes up; replace
# fullchain.pem and privkey.pem with the city's certificate and restart the proxy.
set -eu
dir=/etc/nginx/certs
if [ ! -s "$dir/fullchain.pem" ] || [ ! -s "$dir/privkey.pem" ]; then
    echo "certificate.sh: no certificate in $dir, creating a self-signed one for $PORTAL_HOSTNAME"
    openssl req -x509 -newkey rsa:3072 -nodes -days 90 -subj "/CN=$PORTAL_HOSTNAME" \
        -addext "subjectAltName=DNS:$PORTAL_HOSTNAME" -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem"
fi
