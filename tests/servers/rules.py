#!/usr/bin/env python3
"""Check a site's redirect rules (README "Redirect rules") served by a real
web server with pidsite's exports. Standard library only.

usage: rules.py BASE_URL --htaccess FILE
       rules.py BASE_URL --site-toml SITE_TOML

--htaccess: the Apache configuration OBO Foundry generates from the YAML the
site reads (tests/fixtures/purl/test2.htaccess) is the expected answer. Every
exact and prefix rule in it (a RedirectMatch whose pattern is a literal path,
with `(.*)` after it for a prefix) is requested as written, in other letter
case, with a suffix that must not match, and (prefix) with paths below it;
what the server answers must be what the first matching line of FILE says,
or 404 where no line matches.

--site-toml: the site's own [[rules.entries]], with what they mean: an
exact path redirects to its replacement, a path below a prefix to the
replacement plus the rest; under the base path of the site's base_url.

BASE_URL is where the server serves the site's root (http://127.0.0.1:8080/).
"""
import http.client
import re
import sys
import tomllib
import urllib.parse

STATUS = {"temp": 302, "seeother": 303, "permanent": 301, "temporary": 302, "see other": 303}


def fetch(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", urllib.parse.quote(u.path) + ("?" + u.query if u.query else ""))
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("Location")


def htaccess_rules(path):
    """(status, regex, replacement) per RedirectMatch line, in order."""
    rules = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'RedirectMatch (\S+) "(.*)" "(.*)"$', line.strip())
            if m:
                status = STATUS.get(m[1]) or int(m[1])
                rules.append((status, m[2], m[3]))
    return rules


def literal(pattern):
    """The path of an exact or prefix pattern, and whether it is a prefix;
    None for any other regular expression."""
    body = pattern.removeprefix("(?i)")
    if not (body.startswith("^") and body.endswith("$")):
        return None
    body = body[1:-1]
    prefix = body.endswith("(.*)")
    body = body.removesuffix("(.*)")
    path = re.sub(r"\\(.)", r"\1", body)
    if re.search(r"[\\()\[\]*+?{}|^$]", path):
        return None
    return path, prefix


def expected_by_htaccess(rules, path):
    for status, pattern, replacement in rules:
        m = re.search(pattern, path)
        if m:
            return status, re.sub(r"\$(\d)", lambda g: m[int(g[1])] or "", replacement)
    return 404, None


def requests_of(path, prefix):
    yield path
    yield path.swapcase()
    yield path + "-no"
    if prefix:
        for rest in ("foo", "a/b.owl", "Mixed/Case"):
            yield path + rest


def main():
    base = sys.argv[1]
    mode, source = sys.argv[2], sys.argv[3]
    cases = []  # (request path, status, location)
    if mode == "--htaccess":
        rules = htaccess_rules(source)
        found = [literal(p) for _, p, _ in rules]
        found = [f for f in found if f]
        if not found:
            sys.exit(f"{source}: no exact or prefix rule found")
        for path, prefix in found:
            for request in requests_of(path, prefix):
                cases.append((request, *expected_by_htaccess(rules, request)))
    else:
        with open(source, "rb") as f:
            config = tomllib.load(f)
        site_path = urllib.parse.urlsplit(config["base_url"]).path.rstrip("/")
        entries = config.get("rules", {}).get("entries", [])
        if not entries:
            sys.exit(f"{source}: no [[rules.entries]]")
        for e in entries:
            to = e["replacement"]
            to = to if re.match(r"https?://", to) else site_path + to
            status = STATUS[e.get("status", "temporary")]
            path = site_path + e.get("exact", e.get("prefix", ""))
            if "exact" in e:
                cases.append((path, status, to))
                cases.append((path + "-no", 404, None))
            else:
                for rest in ("", "foo", "a/b.json"):
                    cases.append((path + rest, status, to + rest))
    failures = []
    for request, status, location in cases:
        url = urllib.parse.urljoin(base, request.lstrip("/"))
        code, got = fetch(url)
        if code != status or (location is not None and got != location):
            failures.append(f"{request}: answered {code} {got!r}, expected {status} {location!r}")
    # The query string is passed on, as for the PIDs' redirects.
    request, status, location = next(c for c in cases if c[2])
    code, got = fetch(urllib.parse.urljoin(base, request.lstrip("/")) + "?x=1")
    if code != status or got != location + "?x=1":
        failures.append(f"{request}?x=1: answered {code} {got!r}, expected {location}?x=1")
    for f in failures:
        print("FAIL", f)
    print(f"{len(cases) + 1} requests of the rules of {source} at {base}: {len(failures)} failures")
    sys.exit(1 if failures else 0)


main()
