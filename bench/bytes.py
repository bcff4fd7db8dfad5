#!/usr/bin/env python3
"""Bytes published per PID, by kind of file, and what fits on GitHub Pages.

usage: bytes.py OUT BASE_URL

OUT is a finished pidsite output folder and BASE_URL the site's base_url. The PID
folders are found from OUT/pids.csv (`pid,url,status`, the README's "Output"):
rows `active`, `withdrawn` and `moved` are PIDs; `version` rows, and rows whose
folder is inside another PID's, are version pages; `alias` and `moved` rows are
redirect stubs. Every other file is site-wide, by its top folder (dot files, such
as the build stamp, under "site: rest").

GitHub Pages publishes at most 1 GB, counted as 1,000,000,000 bytes (KB here is
1,000 bytes). The capacity counts the static assets (vendor/, css/, js/: the same
at any size) once and scales everything else, site-wide lists included, with the
PID count.
"""
import csv
import os
import subprocess
import sys

GITHUB_PAGES = 1_000_000_000
SITE_DIRS = ("pagefind", "export", "browse", "map", "page", "activity", "vendor", "css", "js")
FIXED = ("site: vendor/", "site: css/", "site: js/")
PER_PID = {
    "index.html": "landing pages",
    "manifest.json": "manifest copies",
    "cite.json": "cite.json",
    "cite.bib": "cite.bib",
    "cite.ris": "cite.ris",
    "linkset.json": "linkset.json",
    "datacite.xml": "datacite.xml",
}
ORDER = ["landing pages", "image/member lists", "manifest copies", "cite.json", "cite.bib",
         "cite.ris", "linkset.json", "datacite.xml", "other PID files", "version pages",
         "redirect stubs"] + [f"site: {d}/" for d in SITE_DIRS] + ["site: rest"]


def folders(out, base):
    """Map of relative path -> role ('pid', 'version', 'stub'), and the PID count."""
    rows = []
    with open(os.path.join(out, "pids.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            url = row["url"]
            if not url.startswith(base):
                sys.exit(f"{out}/pids.csv: {url} is not under base_url {base}")
            rows.append((row["pid"], url[len(base):], row["status"]))
    pids = {pid for pid, _, status in rows if status in ("active", "withdrawn", "moved")}
    roles = {}
    for _, path, status in rows:
        if status in ("alias", "moved"):
            roles[path] = "stub"
        elif status == "version":
            roles[path] = "version"
        else:
            roles[path] = "pid"
    # A PID row inside another PID's folder (a withdrawn version) is a version.
    for path, role in list(roles.items()):
        if role == "pid" and path.endswith("/"):
            parent = os.path.dirname(path.rstrip("/"))
            while parent:
                if roles.get(parent + "/") == "pid":
                    roles[path] = "version"
                    break
                parent = os.path.dirname(parent)
    return roles, len(pids)


def kind(path, roles):
    """The kind of the published file at `path` (relative, '/'-separated)."""
    if roles.get(path) == "stub":
        return "redirect stubs"
    folder = os.path.dirname(path)
    while True:
        role = roles.get(folder + "/" if folder else "")
        if role == "stub":
            return "redirect stubs"
        if role == "version":
            return "version pages"
        if role == "pid":
            rest = path[len(folder) + 1:] if folder else path
            if rest.startswith(("images/", "members/")):
                return "image/member lists"
            return PER_PID.get(rest, "other PID files")
        if not folder:
            break
        folder = os.path.dirname(folder)
    top = path.split("/", 1)[0]
    return f"site: {top}/" if top in SITE_DIRS and "/" in path else "site: rest"


def main():
    out, base = sys.argv[1], sys.argv[2]
    if not base.endswith("/"):
        base += "/"
    roles, n = folders(out, base)
    roles.pop("", None)  # a PID at the site's root would swallow every file
    files, sizes = {}, {}
    listing = subprocess.run(["find", out, "-type", "f", "-printf", r"%s %P\n"],
                             check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        size, path = line.split(" ", 1)
        k = kind(path, roles)
        files[k] = files.get(k, 0) + 1
        sizes[k] = sizes.get(k, 0) + int(size)
    total = sum(sizes.values())
    print(f"bytes published, {n:,} PIDs (KB = 1,000 bytes)")
    print(f"  {'kind':<20} {'files':>10} {'MB':>10} {'KB/PID':>8} {'share':>6}")
    for k in ORDER + sorted(set(sizes) - set(ORDER)):
        if k in sizes:
            print(f"  {k:<20} {files[k]:>10,} {sizes[k] / 1e6:>10.1f} "
                  f"{sizes[k] / n / 1e3:>8.2f} {sizes[k] / total:>6.1%}")
    print(f"  {'total':<20} {sum(files.values()):>10,} {total / 1e6:>10.1f} "
          f"{total / n / 1e3:>8.2f}")
    fixed = sum(sizes.get(k, 0) for k in FIXED)
    fit = int((GITHUB_PAGES - fixed) * n / (total - fixed))
    print(f"GitHub Pages (1 GB = 10^9 bytes): {fit:,} PIDs of this mix fit "
          f"({(total - fixed) / n / 1e3:.2f} KB a PID, {fixed / 1e6:.1f} MB of static assets once); "
          f"this site uses {total / GITHUB_PAGES:.1%} of the limit")


if __name__ == "__main__":
    main()
