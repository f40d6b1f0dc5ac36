#!/bin/sh
# Entrypoint of the compose service `hawtio` (Hawtio 4.2.0 on Tomcat 10.1). Hawtio's own login is Tomcat's user file:
# this writes conf/tomcat-users.xml with one user (role admin) from HAWTIO_USER / HAWTIO_PASSWORD and refuses to
# start without them, so the console is never open. Its Connect tab may proxy only to the hosts in
# HAWTIO_PROXY_ALLOWLIST (default: the market-etl service); connect to host market-etl, port 9876, path
# /observe/jolokia with MARKET_ETL_MANAGEMENT_USER / _PASSWORD (without them the application's Jolokia is read-only).
# CATALINA_BASE exists so that MonitoringStackTest can run this script as is.
set -eu
base="${CATALINA_BASE:-/usr/local/tomcat}"
if [ -z "${HAWTIO_USER:-}" ] || [ -z "${HAWTIO_PASSWORD:-}" ]; then
    echo "hawtio: set HAWTIO_USER and HAWTIO_PASSWORD (the console's login); refusing to start without them" >&2
    exit 2
fi
xml() {
    printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&apos;/g"
}
umask 077
mkdir -p "$base/conf"
cat > "$base/conf/tomcat-users.xml" <<USERS
<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="admin"/>
  <user username="$(xml "$HAWTIO_USER")" password="$(xml "$HAWTIO_PASSWORD")" roles="admin"/>
</tomcat-users>
USERS
CATALINA_OPTS="${CATALINA_OPTS:-} -Dhawtio.authenticationEnabled=true -Dhawtio.roles=admin"
CATALINA_OPTS="$CATALINA_OPTS -Dhawtio.proxyAllowlist=${HAWTIO_PROXY_ALLOWLIST:-market-etl}"
CATALINA_OPTS="$CATALINA_OPTS -Dhawtio.localAddressProbing=false"
export CATALINA_OPTS
exec "$@"
