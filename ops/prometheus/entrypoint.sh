#!/bin/sh
# Entrypoint of the compose service `prometheus`: renders prometheus.yml with the management credentials from the
# environment, then runs the given command (Prometheus). Prometheus reads the password from a file that only its
# user can read; the user name goes into the rendered copy, so it is limited to characters that need no quoting.
# PROMETHEUS_CONFIG_IN and PROMETHEUS_RUNTIME_DIR exist so that MonitoringStackTest can run this script as is.
set -eu
in="${PROMETHEUS_CONFIG_IN:-/etc/prometheus/market-etl/prometheus.yml}"
dir="${PROMETHEUS_RUNTIME_DIR:-/tmp/market-etl}"
user="${MARKET_ETL_MANAGEMENT_USER:-}"
case "$user" in
    *[!A-Za-z0-9._@-]*)
        echo "prometheus: MARKET_ETL_MANAGEMENT_USER may hold only letters, digits and . _ @ - for the scrape config" >&2
        exit 2 ;;
esac
if [ -z "$user" ]; then
    echo "prometheus: MARKET_ETL_MANAGEMENT_USER is empty: scraping without credentials (the application's metrics are open)" >&2
fi
umask 077
mkdir -p "$dir"
printf '%s' "${MARKET_ETL_MANAGEMENT_PASSWORD:-}" > "$dir/management-password"
sed -e "s|username: MARKET_ETL_MANAGEMENT_USER|username: \"$user\"|" \
    -e "s|password_file: /tmp/market-etl/management-password|password_file: $dir/management-password|" \
    "$in" > "$dir/prometheus.yml"
exec "$@"
