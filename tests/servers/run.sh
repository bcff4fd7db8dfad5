#!/usr/bin/env bash
# Serve the example site with real Apache (its .htaccess) and real nginx (its
# pidsite-redirects.map) on loopback, and check that every PID and alias in
# pids.csv answers as the registry says: pages 200, moves and aliases 301
# with the query string kept, withdrawn PIDs 410 with their tombstone.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v apache2 >/dev/null 2>&1 && [ ! -x /usr/sbin/apache2 ] || ! [ -x /usr/sbin/nginx ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2 nginx-light >/dev/null
fi
PATH="/usr/sbin:$PATH"

work="$(mktemp -d)"
trap 'apache2 -f "$work/httpd.conf" -k stop 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT
cargo build --locked --quiet
# The example site's base_url has the path /pidsite/.
mkdir -p "$work/docroot"
target/debug/pidsite build --site . --out "$work/docroot/pidsite" --quiet

port_a=$((20000 + RANDOM % 20000))
port_n=$((port_a + 1))
cat > "$work/httpd.conf" <<CONF
ServerRoot /usr/lib/apache2
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule dir_module modules/mod_dir.so
LoadModule mime_module modules/mod_mime.so
Listen 127.0.0.1:$port_a
ServerName localhost
PidFile $work/httpd.pid
ErrorLog $work/apache-error.log
TypesConfig /etc/mime.types
DocumentRoot $work/docroot
DirectoryIndex index.html
<Directory $work/docroot>
  AllowOverride All
  Require all granted
</Directory>
CONF
cat > "$work/nginx.conf" <<CONF
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  include $work/docroot/pidsite/pidsite-redirects.map;
  server {
    listen 127.0.0.1:$port_n;
    root $work/docroot;
    if (\$pidsite_redirect) { return 301 \$pidsite_redirect\$is_args\$args; }
    if (\$pidsite_gone) { return 410; }
    error_page 410 \$pidsite_gone;
  }
}
CONF
apache2 -f "$work/httpd.conf" -k start
nginx -c "$work/nginx.conf"
sleep 1
status=0
python3 tests/servers/check.py "$work/docroot/pidsite" "http://127.0.0.1:$port_a/pidsite/" content/registry.csv || status=1
python3 tests/servers/check.py "$work/docroot/pidsite" "http://127.0.0.1:$port_n/pidsite/" content/registry.csv || status=1
exit $status
