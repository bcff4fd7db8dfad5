#!/usr/bin/env python3
"""Check a pidsite build served by a real web server with its redirect
exports (.htaccess for Apache, pidsite-redirects.map for nginx): every PID
and alias in pids.csv answers as the registry says. Standard library only.

usage: check.py SITE_OUT BASE_URL [REGISTRY_CSV]
       (BASE_URL like http://127.0.0.1:8080/pidsite/)

With REGISTRY_CSV, every alias written there as an old URL of the site
(`/islandora/object/uofm:1234`) is also requested as a browser would and
must answer 301 to a page: the stub files live at escaped paths, so only
the host's rules can answer the old URL itself.
"""
import csv
import http.client
import sys
import urllib.parse


def fetch(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", u.path + ("?" + u.query if u.query else ""))
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    return r.status, r.getheader("Location"), body


def main():
    out, base = sys.argv[1], sys.argv[2]
    site_base = None
    failures, checked = [], 0
    with open(f"{out}/pids.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        path = urllib.parse.urlsplit(row["url"]).path
        if site_base is None:
            # pids.csv URLs carry the published base URL; serve them locally.
            site_base = "/" + urllib.parse.urlsplit(base).path.strip("/") + "/"
        local = urllib.parse.urljoin(base, path)
        status = row["status"]
        expect = {"active": 200, "version": 200, "withdrawn": 410, "moved": 301, "alias": 301}[status]
        # A query string must survive a redirect (iiif-content links).
        url = local + ("?iiif-content=abc" if expect == 301 else "")
        code, location, body = fetch(url)
        checked += 1
        if code != expect:
            failures.append(f"{url}: {status} answered {code}, expected {expect}")
            continue
        if expect == 301:
            if not location or "iiif-content=abc" not in location:
                failures.append(f"{url}: redirect to {location!r} drops the query string")
                continue
            code2, _, _ = fetch(urllib.parse.urljoin(url, location))
            if code2 not in (200, 410):
                failures.append(f"{url}: redirect target {location} answered {code2} (not one hop to a page)")
        if expect == 410 and "withdrawn" not in body.lower():
            failures.append(f"{url}: 410 without the tombstone page as its body")
    if len(sys.argv) > 3:
        with open(sys.argv[3], newline="", encoding="utf-8") as f:
            registry = list(csv.DictReader(f))
        for row in registry:
            for alias in (row.get("aliases") or "").split(";"):
                alias = alias.strip()
                if not alias.startswith("/"):
                    continue
                url = urllib.parse.urljoin(base, alias.lstrip("/")) + "?iiif-content=abc"
                code, location, _ = fetch(url)
                checked += 1
                if code != 301 or not location or "iiif-content=abc" not in location:
                    failures.append(f"{url}: old URL answered {code} to {location!r}, expected 301 keeping the query")
                    continue
                code2, _, _ = fetch(urllib.parse.urljoin(url, location))
                if code2 != 200:
                    failures.append(f"{url}: redirect target {location} answered {code2}")
    for f in failures:
        print("FAIL", f)
    print(f"{checked} URLs of pids.csv and old URLs checked at {base}: {len(failures)} failures")
    sys.exit(1 if failures else 0)


main()
