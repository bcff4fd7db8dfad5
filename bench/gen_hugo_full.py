#!/usr/bin/env python3
"""The like-for-like Hugo site, made from a finished pidsite output.

usage: gen_hugo_full.py OUT BASE_URL HUGO_DIR

For every PID of OUT/pids.csv (status `active`, not inside another PID's folder)
it writes a Hugo leaf bundle at the PID's path under HUGO_DIR/content/:
- index.html: JSON front matter with the landing page's title, its <meta> and
  <link> tags (as lists the layout writes back one by one), its JSON-LD (a string)
  and its citations (pre-rendered HTML strings, as pidsite's CSL processor made
  them); the body is the page's <main> without the citations;
- the PID's cite.json, cite.bib, cite.ris, linkset.json, manifest.json (and
  datacite.xml) as the bundle's resources, which Hugo publishes beside the page
  (the layout links each one, so every Hugo version publishes them).
So Hugo writes the same files per PID with the same bytes for all but the HTML,
and renders the HTML from the same data, where pidsite also parses the manifest
and runs the CSL processor. The images/ and members/ list pages are not made
(a leaf bundle holds no pages of its own); bytes.py says how much they weigh.
"""
import csv
import html
import json
import os
import re
import shutil
import sys
from html.parser import HTMLParser

RESOURCES = ("cite.json", "cite.bib", "cite.ris", "linkset.json", "manifest.json",
             "datacite.xml")

LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title>
{{ range .Params.meta }}{{ if .name }}<meta name="{{ .name }}" content="{{ .content }}">{{ else }}<meta property="{{ .property }}" content="{{ .content }}">{{ end }}
{{ end }}{{ range .Params.links }}<link rel="{{ .rel }}" href="{{ .href }}"{{ with .type }} type="{{ . }}"{{ end }}{{ with .profile }} profile="{{ . }}"{{ end }}{{ with .title }} title="{{ . }}"{{ end }}>
{{ end }}<script type="application/ld+json">{{ .Params.jsonld | safeJS }}</script>
</head><body><a class=skip href=#main>Skip to content</a>
<header class=site-header><div class=wrap><a class=site-title href="{{ .Site.BaseURL }}"><span>{{ .Site.Title }}</span></a></div></header>
<main id=main class=wrap>{{ .Content }}
<section class=cite><h2>Cite this</h2><div class=citations data-copy-label="Copy citation" data-copy-bibtex="Copy BibTeX">
{{ range .Params.citations }}<figure class=cite-style><figcaption>{{ .label }}</figcaption>{{ .html | safeHTML }}</figure>
{{ end }}</div>
<p class=downloads>Download:{{ range .Resources }} <a href="{{ .RelPermalink }}" download>{{ .Name }}</a>{{ end }}</p></section>
</main><footer class=site-footer><div class=wrap><p>Persistent identifiers for IIIF resources.</p></div></footer>
</body></html>
"""

LIST = ("<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><ul>"
        "{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}"
        "</ul></body></html>")

# One citation of the landing page (minified or not): its label and its text.
FIGURE = re.compile(r'<figure class="?cite-style"?[^>]*>'
                    r'\s*<figcaption>(.*?)</figcaption>(.*?)(?:<button[^>]*>[^<]*</button>)?\s*</figure>',
                    re.S)


class Head(HTMLParser):
    """The <meta> and <link> tags and the JSON-LD of a page's <head>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.jsonld, self.title = [], [], "", ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and "content" in a and ("name" in a or "property" in a):
            key = "name" if "name" in a else "property"
            if a.get(key) != "viewport":
                self.meta.append({key: a[key], "content": a["content"]})
        elif tag == "link":
            self.links.append({k: v for k, v in a.items()
                               if k in ("rel", "href", "type", "profile", "title")})
        elif tag in ("script", "title"):
            self._in = tag if tag == "title" or a.get("type") == "application/ld+json" else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.jsonld += data
        elif self._in == "title":
            self.title += data


def bundle(src, dst):
    page = open(os.path.join(src, "index.html"), encoding="utf-8").read()
    head_end = page.find("</head>")
    head = Head()
    head.feed(page[:head_end])
    start = page.find(">", page.find("<main")) + 1
    main = page[start:page.find("</main>", start)]
    citations = [{"label": html.unescape(label), "html": body.strip()}
                 for label, body in FIGURE.findall(main)]
    main = FIGURE.sub("", main)
    front = {"title": head.title, "meta": head.meta, "links": head.links,
             "jsonld": head.jsonld, "citations": citations}
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(dst, "index.html"), "w", encoding="utf-8") as f:
        json.dump(front, f, ensure_ascii=False)
        f.write("\n\n" + main + "\n")
    for name in RESOURCES:
        if os.path.exists(os.path.join(src, name)):
            shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))


def main():
    out, base, hugo = sys.argv[1], sys.argv[2], sys.argv[3]
    if not base.endswith("/"):
        base += "/"
    with open(os.path.join(out, "pids.csv"), newline="", encoding="utf-8") as f:
        paths = [row["url"][len(base):] for row in csv.DictReader(f)
                 if row["status"] == "active" and row["url"].startswith(base)]
    folders = set(paths)
    n = 0
    for path in paths:
        parent = os.path.dirname(path.rstrip("/"))
        nested = False
        while parent and not nested:
            nested = parent + "/" in folders
            parent = os.path.dirname(parent)
        if nested or not path.endswith("/") or not path.strip("/"):
            continue
        bundle(os.path.join(out, path), os.path.join(hugo, "content", path))
        n += 1
    os.makedirs(os.path.join(hugo, "layouts", "_default"), exist_ok=True)
    with open(os.path.join(hugo, "layouts", "_default", "single.html"), "w") as f:
        f.write(LAYOUT)
    with open(os.path.join(hugo, "layouts", "_default", "list.html"), "w") as f:
        f.write(LIST)
    with open(os.path.join(hugo, "hugo.toml"), "w") as f:
        f.write(f'baseURL = {json.dumps(base)}\ntitle = "Benchmark"\n'
                'disableKinds = ["taxonomy", "term", "RSS"]\n')
    print(f"like-for-like Hugo site: {n} page bundles in {hugo}", file=sys.stderr)


if __name__ == "__main__":
    main()
