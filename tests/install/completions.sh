#!/usr/bin/env bash
# Completions and man pages of the given pidsite: each shell's script parses
# in that shell (bash -n, zsh -n, fish --no-execute; PowerShell where pwsh
# is installed: Debian has none) and completes `pidsite bu` to `build` in bash and fish;
# every man page renders with `man -l` without a warning (groff -ww).
#   bash tests/install/completions.sh target/release/pidsite
set -euo pipefail
bin=$(realpath "${1:?usage: completions.sh PIDSITE_BINARY}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "completions: FAILED: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }

for shell in bash zsh fish powershell elvish; do
  "$bin" completions "$shell" >"$work/pidsite.$shell"
  [ -s "$work/pidsite.$shell" ] || fail "no $shell script"
done

bash -n "$work/pidsite.bash" || fail "bash -n"
# Loaded as bash-completion would, asked what `pidsite bu<TAB>` and
# `pidsite build --st<TAB>` become.
words=$(bash --norc -c '
  source "$1"
  COMP_WORDS=(pidsite bu); COMP_CWORD=1; COMP_LINE="pidsite bu"; COMP_POINT=${#COMP_LINE}
  _pidsite pidsite bu pidsite; echo "${COMPREPLY[*]}"
  COMP_WORDS=(pidsite build --st); COMP_CWORD=2; COMP_LINE="pidsite build --st"; COMP_POINT=${#COMP_LINE}
  _pidsite pidsite --st build; echo "${COMPREPLY[*]}"' _ "$work/pidsite.bash")
[ "$(sed -n 1p <<<"$words")" = build ] || fail "bash: pidsite bu -> '$(sed -n 1p <<<"$words")'"
[ "$(sed -n 2p <<<"$words")" = --strict ] || fail "bash: pidsite build --st -> '$(sed -n 2p <<<"$words")'"
ok "bash: parses (bash -n); pidsite bu -> build, pidsite build --st -> --strict"

if command -v zsh >/dev/null 2>&1; then
  zsh -n "$work/pidsite.zsh" || fail "zsh -n"
  ok "zsh: parses (zsh -n)"
fi
if command -v fish >/dev/null 2>&1; then
  fish --no-execute "$work/pidsite.fish" || fail "fish --no-execute"
  got=$(fish --no-config -c "source $work/pidsite.fish; complete -C 'pidsite bu'" | cut -f 1)
  [ "$got" = build ] || fail "fish: pidsite bu -> '$got'"
  ok "fish: parses (fish --no-execute); pidsite bu -> build"
fi
# elvish: `elvish -compileonly` knows no edit: module outside its editor,
# so the script is not checked here.
if command -v pwsh >/dev/null 2>&1; then
  pwsh -NoProfile -Command "[System.Management.Automation.Language.Parser]::ParseFile('$work/pidsite.powershell', [ref]\$null, [ref]\$errors) | Out-Null; if (\$errors) { \$errors; exit 1 }" \
    || fail "powershell parse"
  ok "powershell: parses"
fi

mkdir -p "$work/man"
"$bin" man --dir "$work/man" 2>/dev/null
pages=0
for page in "$work"/man/*.1; do
  warnings=$(MANWIDTH=80 man --warnings=w -l "$page" 2>&1 >/dev/null) || fail "man -l $(basename "$page")"
  [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
  text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
  grep -q '^NAME' <<<"$text" || fail "$(basename "$page") has no NAME section"
  pages=$((pages + 1))
done
[ "$pages" -ge 10 ] || fail "only $pages man pages"
MANWIDTH=80 man -l "$work/man/pidsite-build.1" 2>/dev/null | grep -q -- '--strict' || fail "pidsite-build(1) lacks --strict"
ok "man: $pages pages render with man -l --warnings=w (every groff warning), without one"

echo "completions and man: $passed passed, 0 failed"
