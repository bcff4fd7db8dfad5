"""The archive names agree everywhere they are written (issue 21):
release.yml's matrix and packing, install.sh's targets, and Cargo.toml's
cargo-binstall templates expanded for each target as cargo-binstall does.

    python3 release_names.py REPO
"""

import os
import re
import sys
import tomllib

import yaml

repo = sys.argv[1]
workflow = yaml.safe_load(open(f"{repo}/.github/workflows/release.yml"))
build = workflow["jobs"]["build"]
matrix = [(e["target"], e["os"]) for e in build["strategy"]["matrix"]["include"]]
targets = [t for t, _ in matrix]
wanted = {
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
}
assert set(targets) == wanted, f"release targets {targets}"
pack = [s for s in build["steps"] if str(s.get("uses", "")).startswith("taiki-e/upload-rust-binary-action@")][0]["with"]
assert pack["archive"] == "pidsite-$target" and pack["leading-dir"] is True, pack
assert (pack["tar"], pack["zip"]) == ("unix", "windows"), pack
for item in ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE", "extra/completions", "extra/man"]:
    assert item in pack["include"].split(","), f"archives lack {item}"
    assert item.startswith("extra/") or os.path.exists(f"{repo}/{item}"), item


def archive(target):
    """The archive release.yml makes for a target, and the binary's path in it."""
    ext = ".zip" if "windows" in target else ".tar.gz"
    exe = ".exe" if "windows" in target else ""
    return f"pidsite-{target}{ext}", f"pidsite-{target}/pidsite{exe}"


# install.sh: every target it can pick is released, named as released.
script = open(f"{repo}/install.sh").read()
picked = set(re.findall(r'"\$arch-([a-z0-9-]+)"', script))
assert picked == {"unknown-linux-musl", "apple-darwin"}, picked
for arch in ["x86_64", "aarch64"]:
    for rest in picked:
        assert f"{arch}-{rest}" in targets, f"install.sh picks {arch}-{rest}, which is not released"
assert "archive=pidsite-$target.tar.gz" in script
assert 'binary=$tmp/pidsite-$target/pidsite' in script

# cargo-binstall: {name}, {version}, {target}, {archive-suffix}, {bin},
# {binary-ext}, {repo} as binstall expands them.
cargo = tomllib.load(open(f"{repo}/Cargo.toml", "rb"))["package"]
meta = cargo["metadata"]["binstall"]
for target in targets:
    fmt = meta.get("overrides", {}).get(target, {}).get("pkg-fmt", meta.get("pkg-fmt", "tgz"))
    # binstall tries each suffix of the format: .tgz and .tar.gz for tgz.
    suffix = {"tgz": ".tar.gz", "zip": ".zip"}[fmt]
    values = {
        "repo": cargo["repository"],
        "name": cargo["name"],
        "version": cargo["version"],
        "target": target,
        "archive-suffix": suffix,
        "bin": "pidsite",
        "binary-ext": ".exe" if "windows" in target else "",
    }
    url, binary = (re.sub(r"\{ *([a-z-]+) *\}", lambda m: values[m.group(1)], t) for t in (meta["pkg-url"], meta["bin-dir"]))
    name, path = archive(target)
    assert url == f"https://github.com/pidsite/pidsite/releases/download/v{cargo['version']}/{name}", url
    assert binary == path, (binary, path)
print(f"release names: {len(targets)} targets agree in release.yml, install.sh and Cargo.toml")
