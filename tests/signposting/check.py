"""FAIR Signposting of a built pidsite site, read by the reference client.

The PyPI package `signposting` (University of Manchester; signposting.org
lists it) reads each landing page's <link> elements and each linkset.json,
the page-level ones and the site-wide one, served over HTTP on loopback as
a static host serves them. It drops a link it cannot parse (with a warning)
and rejects a linkset holding one (LinksetParseError); both fail here:

- every page with signposting gives the client every signposting <link> it
  has (counted independently with the HTML parser), a cite-as among them,
  and no warning;
- every linkset.json loads, gives every target it holds, and no warning;
- a page's own linkset holds the same links as the page (its rel=linkset
  aside), and the site-wide linkset holds every page's context (landing
  pages and version pages alike).

usage: python check.py OUT_DIR
"""

import functools
import http.server
import json
import pathlib
import sys
import threading
import warnings

from bs4 import BeautifulSoup

import signposting
from signposting.signpost import SIGNPOSTING


def serve(root):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def key(s):
    """A signpost without its context: what a page and its linkset share."""
    return (str(s.rel), str(s.target), str(s.type or ""), " ".join(sorted(s.profiles)))


def read(call, *args):
    """Calls the client, returning its answer and the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answer = call(*args)
    return answer, [str(w.message) for w in caught]


def html_links(path):
    """The page's signposting <link>s, as (rel, href, type, profile)."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    links = set()
    for link in soup.head.find_all("link") if soup.head else []:
        for rel in link.get("rel", []):
            if rel.lower() in SIGNPOSTING:
                links.add((rel.lower(), link["href"], link.get("type", ""), link.get("profile", "")))
    return links


def linkset_targets(path):
    """Every signposting target of a linkset.json, with its anchor."""
    targets = set()
    for context in json.loads(path.read_text(encoding="utf-8"))["linkset"]:
        for rel, values in context.items():
            if rel in SIGNPOSTING:
                for t in values:
                    targets.add((context["anchor"], rel, t["href"], t.get("type", ""), t.get("profile", "")))
    return targets


def main():
    out = pathlib.Path(sys.argv[1]).resolve()
    server, root = serve(out)
    problems = []
    pages = linksets = 0
    anchors = set()
    try:
        for page in sorted(out.rglob("index.html")):
            links = html_links(page)
            if not links:
                continue
            pages += 1
            rel_path = page.parent.relative_to(out).as_posix()
            url = root + (rel_path + "/" if rel_path != "." else "")
            try:
                found, warned = read(signposting.find_signposting_html, url)
            except Exception as e:  # the client refused the page
                problems.append(f"{page}: {type(e).__name__}: {e}")
                continue
            got = {key(s) for s in found.signposts}
            want = {(r, h, t, " ".join(sorted(p.split()))) for r, h, t, p in links}
            for w in warned:
                problems.append(f"{page}: client warned: {w}")
            for missing in sorted(want - got):
                problems.append(f"{page}: link dropped by the client: {missing}")
            if not found.citeAs:
                problems.append(f"{page}: no cite-as")
            # The page's own linkset: the same links, the linkset link aside.
            own = [s for s in found.linksets]
            if len(own) != 1:
                problems.append(f"{page}: {len(own)} rel=linkset links")
                continue
            local = page.parent / "linkset.json"
            ls_targets = linkset_targets(local)
            page_links = {(r, h, t, p) for r, h, t, p in links if r != "linkset"}
            if {(r, h, t, p) for _, r, h, t, p in ls_targets} != page_links:
                problems.append(f"{page}: its linkset.json differs from its <link>s")
            anchors.update(a for a, *_ in ls_targets)
        site_wide = out / "linkset.json"
        for path in sorted(out.rglob("linkset.json")):
            linksets += 1
            rel_path = path.relative_to(out).as_posix()
            targets = linkset_targets(path)
            if path == site_wide:
                for anchor in sorted(anchors - {a for a, *_ in targets}):
                    problems.append(f"{path}: no context for {anchor}")
            try:
                found, warned = read(signposting.find_signposting_linkset, root + rel_path)
            except Exception as e:  # LinksetParseError: the whole linkset rejected
                problems.append(f"{path}: rejected: {type(e).__name__}: {e}")
                continue
            for w in warned:
                problems.append(f"{path}: client warned: {w}")
            got = {(str(s.context), *key(s)) for s in found.signposts}
            want = {(a, r, h, t, " ".join(sorted(p.split()))) for a, r, h, t, p in targets}
            for missing in sorted(want - got):
                problems.append(f"{path}: target dropped by the client: {missing}")
    finally:
        server.shutdown()
    for p in problems:
        print(f"signposting: {p}", file=sys.stderr)
    print(f"signposting: {pages} pages and {linksets} linksets of {out} read, {len(problems)} problems")
    if not pages or not linksets or not (out / "linkset.json").is_file():
        print(f"signposting: nothing to check in {out}", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
