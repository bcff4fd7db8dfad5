#!/usr/bin/env python3
"""Generate comparable benchmark sites for pidsite and Hugo.

pidsite site: N PIDs (ARKs under the test NAAN 99999), each pointing at its own
manifest file, made from the real manifests of ../shared/corpus (distinct `id`
and `label` per PID; the corpus's size mix, with manifests over 1 MB drawn
rarely so the mix resembles a real collection rather than the corpus's stress
files).

Hugo site: N content pages with ~10 front-matter fields and a ~300-word body,
and a layout writing the same kinds of tags a landing page has (meta tags,
JSON-LD, an iframe), as the issue describes.

usage: gen_sites.py N CORPUS OUT [pidsite,hugo]

Writes OUT/pidsite and OUT/hugo (or only the parts named), refusing when OUT's file
system has less room than the parts take (about KB_PER_PID each, counted in disk
blocks), and prints the size of each part it wrote.
"""
import json
import os
import random
import shutil
import sys

# Disk use per PID, in 1,000 bytes, with block rounding: the manifests average
# ~29 KB (27 KB at 100,000 PIDs, the huge ones being rare) and each file takes
# whole 4 KB blocks; a Hugo page is ~3.3 KB in one block.
KB_PER_PID = {"pidsite": 36, "hugo": 5}

WORDS = ("manuscript folio parchment illumination binding scribe archive collection "
         "catalogue provenance library museum image canvas viewer metadata rights "
         "citation identifier persistent digital object map print photograph").split()


def corpus_manifests(corpus):
    out = []
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                raw = f.read()
            try:
                doc = json.loads(raw)
            except ValueError:
                continue
            t = str(doc.get("type") or doc.get("@type") or "")
            if "Manifest" not in t:
                continue
            out.append((len(raw), doc))
    return out


def weights(sizes):
    # Real collections: mostly small-to-medium manifests, few huge ones.
    return [0.05 if s > 1_000_000 else 1.0 for s in sizes]


def gen_pidsite(n, out, manifests, rng):
    os.makedirs(os.path.join(out, "content", "manifests"), exist_ok=True)
    with open(os.path.join(out, "site.toml"), "w") as f:
        f.write('base_url = "https://bench.example.org/"\ntitle = "Benchmark"\n')
    sizes = [s for s, _ in manifests]
    ws = weights(sizes)
    total = 0
    with open(os.path.join(out, "content", "registry.csv"), "w") as reg:
        reg.write("pid,target\n")
        for i in range(n):
            _, doc = rng.choices(manifests, ws)[0]
            doc = dict(doc)
            key = "id" if "id" in doc else "@id"
            doc[key] = f"https://bench.example.org/iiif/{i}/manifest.json"
            label = f"Object {i} — " + " ".join(rng.choices(WORDS, k=5))
            doc["label"] = {"en": [label]} if key == "id" else label
            text = json.dumps(doc, ensure_ascii=False)
            total += len(text)
            name = f"m{i:06d}.json"
            with open(os.path.join(out, "content", "manifests", name), "w") as f:
                f.write(text)
            reg.write(f"ark:99999/b{i:07d},manifests/{name}\n")
    return total


HUGO_LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Params.description }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta name="citation_title" content="{{ .Title }}">
<meta name="citation_author" content="{{ .Params.creator }}">
<meta name="citation_publication_date" content="{{ .Params.year }}">
<meta name="citation_publisher" content="{{ .Params.publisher }}">
<meta property="og:title" content="{{ .Title }}"><meta property="og:image" content="{{ .Params.thumbnail }}">
<link rel="cite-as" href="{{ .Params.resolver }}">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"VisualArtwork","name":{{ .Title | jsonify }},"url":{{ .Permalink | jsonify }},"identifier":{"@type":"PropertyValue","value":{{ .Params.pid | jsonify }}},"image":{{ .Params.thumbnail | jsonify }},"license":{{ .Params.license | jsonify }}}</script>
</head><body><header><a href="{{ .Site.BaseURL }}">{{ .Site.Title }}</a></header>
<main><h1>{{ .Title }}</h1><p><code>{{ .Params.pid }}</code></p>
<iframe src="{{ .Params.viewer }}" title="viewer" width="100%" height="600" loading="lazy"></iframe>
<dl><dt>Creator</dt><dd>{{ .Params.creator }}</dd><dt>Date</dt><dd>{{ .Params.year }}</dd><dt>Rights</dt><dd>{{ .Params.license }}</dd><dt>Shelfmark</dt><dd>{{ .Params.shelfmark }}</dd></dl>
{{ .Content }}
<blockquote>{{ .Params.creator }} ({{ .Params.year }}). <i>{{ .Title }}</i>. {{ .Params.publisher }}. {{ .Params.resolver }}</blockquote>
</main></body></html>
"""


def gen_hugo(n, out, rng):
    os.makedirs(os.path.join(out, "content", "pids"), exist_ok=True)
    os.makedirs(os.path.join(out, "layouts", "_default"), exist_ok=True)
    with open(os.path.join(out, "hugo.toml"), "w") as f:
        f.write('baseURL = "https://bench.example.org/"\ntitle = "Benchmark"\n'
                'disableKinds = ["taxonomy", "term", "RSS"]\n')
    with open(os.path.join(out, "layouts", "_default", "single.html"), "w") as f:
        f.write(HUGO_LAYOUT)
    with open(os.path.join(out, "layouts", "_default", "list.html"), "w") as f:
        f.write("<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>"
                "<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>")
    for i in range(n):
        body = " ".join(rng.choices(WORDS, k=300))
        fm = {
            "title": f"Object {i} " + " ".join(rng.choices(WORDS, k=5)),
            "pid": f"ark:99999/b{i:07d}",
            "resolver": f"https://n2t.net/ark:99999/b{i:07d}",
            "creator": "Doe, Jane",
            "year": 1400 + i % 600,
            "publisher": "Example Library",
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "thumbnail": f"https://images.example.org/iiif/{i}/full/!400,400/0/default.jpg",
            "viewer": f"https://viewer.example.org/?manifest=https://bench.example.org/iiif/{i}/manifest.json",
            "shelfmark": f"MS {i}",
            "description": " ".join(rng.choices(WORDS, k=20)),
        }
        with open(os.path.join(out, "content", "pids", f"p{i:06d}.md"), "w") as f:
            f.write(json.dumps(fm, ensure_ascii=False, indent=1))
            f.write("\n\n" + body + "\n")


def disk_use(path):
    """Bytes of disk the files under `path` take (whole blocks)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: gen_sites.py N CORPUS OUT [pidsite,hugo]")
    n, corpus, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    parts = sys.argv[4].split(",") if len(sys.argv) == 5 else ["pidsite", "hugo"]
    if set(parts) - set(KB_PER_PID):
        sys.exit(f"gen_sites.py: unknown part in {sys.argv[4]} (pidsite, hugo)")
    os.makedirs(out, exist_ok=True)
    need = sum(KB_PER_PID[p] for p in parts) * 1000 * n
    free = shutil.disk_usage(out).free
    if need > free:
        sys.exit(f"gen_sites.py: {n:,} PIDs ({', '.join(parts)}) need about {need / 1e9:.1f} GB "
                 f"in {out}, which has {free / 1e9:.1f} GB free: free space or give another folder")
    rng = random.Random(n)
    if "pidsite" in parts:
        manifests = corpus_manifests(corpus)
        total = gen_pidsite(n, os.path.join(out, "pidsite"), manifests, rng)
        print(f"generated {n:,} PIDs in {out}/pidsite: {total / 1e6:,.0f} MB of manifests "
              f"(mean {total / n / 1e3:.1f} kB), {disk_use(os.path.join(out, 'pidsite')) / 1e6:,.0f} MB on disk")
    if "hugo" in parts:
        gen_hugo(n, os.path.join(out, "hugo"), rng)
        print(f"generated {n:,} Hugo pages in {out}/hugo: "
              f"{disk_use(os.path.join(out, 'hugo')) / 1e6:,.0f} MB on disk")


if __name__ == "__main__":
    main()
