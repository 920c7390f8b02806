#!/usr/bin/env bash
# Translations of ckanext-chemnitz (ITranslation, domain ckanext-chemnitz).
#   scripts/i18n.sh extract   collect the message ids into the .pot and merge them into each .po
#   scripts/i18n.sh compile   build the .mo files CKAN loads (run by prepare.sh; .mo are not committed)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

EXT="$ROOT/ckanext-chemnitz"
I18N="$EXT/ckanext/chemnitz/i18n"
DOMAIN=ckanext-chemnitz
PYBABEL="$CKAN_VENV/bin/pybabel"

case "${1:-}" in
    extract)
        (cd "$EXT" && "$PYBABEL" extract -F babel.cfg -k N_ --no-location --sort-output \
            --project=ckanext-chemnitz --copyright-holder="Stadt Chemnitz" -o "$I18N/$DOMAIN.pot" ckanext)
        "$PYBABEL" update -D "$DOMAIN" -i "$I18N/$DOMAIN.pot" -d "$I18N" --no-fuzzy-matching --ignore-obsolete
        "$PYBABEL" compile -D "$DOMAIN" -d "$I18N"
        ;;
    compile)
        "$PYBABEL" compile --statistics -D "$DOMAIN" -d "$I18N" 2>&1 | sed 's/^/  /'
        ;;
    *)
        die "usage: scripts/i18n.sh extract|compile"
        ;;
esac
