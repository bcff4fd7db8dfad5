#!/usr/bin/env bash
# Serve sites with real Apache (their .htaccess) and real nginx (their
# pidsite-redirects.map) on loopback, and check them:
# - the example site: every PID and alias in pids.csv answers as the registry
#   says (pages 200, moves and aliases 301 with the query string kept,
#   withdrawn PIDs 410 with their tombstone), and its own redirect rules
#   (site.toml [[rules.entries]]) answer as written;
# - tests/fixtures/purl: every exact and prefix rule of OBO Foundry's test2
#   example, read from its YAML, answers as the .htaccess OBO generates from
#   that YAML (test2.htaccess) says, and its PID page is still served.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v apache2 >/dev/null 2>&1 && [ ! -x /usr/sbin/apache2 ] || ! [ -x /usr/sbin/nginx ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2 nginx-light >/dev/null
fi
PATH="/usr/sbin:$PATH"

work="$(mktemp -d)"
# nginx's workers (nobody) read the sites: mktemp makes the folder private.
chmod 755 "$work"
stop_all() {
  for d in "$work"/*/; do
    [ -f "$d/httpd.conf" ] && apache2 -f "$d/httpd.conf" -k stop 2>/dev/null || true
    [ -f "$d/nginx.conf" ] && nginx -c "$d/nginx.conf" -s stop 2>/dev/null || true
  done
  sleep 0.5
  rm -rf "$work"
}
trap stop_all EXIT
cargo build --locked --quiet

# serve NAME DOCROOT MAP: Apache and nginx serving DOCROOT, nginx with MAP (a
# site's pidsite-redirects.map) and the server-block lines its comments name;
# sets port_a and port_n.
serve() {
  local dir="$work/$1" docroot="$2" map="$3"
  mkdir -p "$dir"
  port_a=$((20000 + RANDOM % 20000))
  port_n=$((port_a + 1))
  cat > "$dir/httpd.conf" <<CONF
ServerRoot /usr/lib/apache2
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
LoadModule dir_module modules/mod_dir.so
LoadModule mime_module modules/mod_mime.so
Listen 127.0.0.1:$port_a
ServerName localhost
PidFile $dir/httpd.pid
ErrorLog $dir/apache-error.log
TypesConfig /etc/mime.types
DocumentRoot $docroot
DirectoryIndex index.html
<Directory $docroot>
  AllowOverride All
  Require all granted
</Directory>
CONF
  cat > "$dir/nginx.conf" <<CONF
daemon on;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
  uwsgi_temp_path $dir; scgi_temp_path $dir;
  include $map;
  server {
    listen 127.0.0.1:$port_n;
    root $docroot;
    if (\$pidsite_redirect) { return 301 \$pidsite_redirect\$is_args\$args; }
    if (\$pidsite_gone) { return 410; }
    error_page 410 \$pidsite_gone;
$(grep -o '^#   if (\$pidsite_rule_status.*' "$map" | sed 's/^#  //')
  }
}
CONF
  apache2 -f "$dir/httpd.conf" -k start
  nginx -c "$dir/nginx.conf"
  sleep 1
}

status=0

# The example site's base_url has the path /pidsite/.
mkdir -p "$work/docroot"
target/debug/pidsite build --site . --out "$work/docroot/pidsite" --quiet
serve example "$work/docroot" "$work/docroot/pidsite/pidsite-redirects.map"
for port in $port_a $port_n; do
  python3 tests/servers/check.py "$work/docroot/pidsite" "http://127.0.0.1:$port/pidsite/" content/registry.csv || status=1
  python3 tests/servers/rules.py "http://127.0.0.1:$port/" --site-toml site.toml || status=1
done

# OBO Foundry's example, at the root (its base_url has no path).
# A copy: a build writes the site's pidsite.lock, which a fixture keeps as it is.
cp -r tests/fixtures/purl "$work/purl-site"
target/debug/pidsite build --site "$work/purl-site" --out "$work/purl" --quiet
serve purl "$work/purl" "$work/purl/pidsite-redirects.map"
for port in $port_a $port_n; do
  python3 tests/servers/check.py "$work/purl" "http://127.0.0.1:$port/" || status=1
  python3 tests/servers/rules.py "http://127.0.0.1:$port/" --htaccess tests/fixtures/purl/test2.htaccess || status=1
done
exit $status
