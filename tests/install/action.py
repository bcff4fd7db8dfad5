"""Run a composite action's steps outside GitHub, as the runner would.

    python3 action.py ACTION_YML --workdir DIR --cache DIR --temp DIR
                      [--input NAME=VALUE]... [--outputs FILE]

For tests/install/action_test.sh: each `run:` step is executed as written,
with bash as GitHub runs it (`bash --noprofile --norc -eo pipefail FILE`),
its `env:` evaluated, GITHUB_OUTPUT and GITHUB_PATH honoured, and `if:`
conditions evaluated. `actions/cache` is played by a folder of saved copies
keyed as the step says (restored before, saved after a successful run, as
its post step does); any other `uses:` is refused. The expressions handled
are those action.yml uses: `inputs.*`, `steps.*.outputs.*`,
`github.action_path`, `runner.os`, `runner.arch`, `runner.temp`, string
literals, `==`, `!=`, `&&`, `||` and `!`. The action's outputs are written
to FILE as JSON.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}")
TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!)|([A-Za-z_][\w.-]*)|(\S))")


def evaluate(expr, ctx):
    """The value of a GitHub expression (the subset above), as Python."""
    out = []
    for literal, op, ref, other in TOKEN.findall(expr):
        if literal:
            out.append(repr(literal[1:-1].replace("''", "'")))
        elif op:
            out.append({"&&": " and ", "||": " or ", "!": " not ", "==": "==", "!=": "!="}[op])
        elif ref:
            if ref in ("true", "false"):
                out.append(repr(ref == "true"))
            else:
                out.append(repr(lookup(ref, ctx)))
        elif other in "()":
            out.append(other)
        else:
            raise SystemExit(f"action.py: cannot evaluate {expr!r}")
    return eval("".join(out), {"__builtins__": {}})  # noqa: S307 (only literals)


def lookup(ref, ctx):
    value = ctx
    for part in ref.split("."):
        if not isinstance(value, dict):
            raise SystemExit(f"action.py: {ref} is not a context this runner knows")
        # Missing step outputs are empty strings, as on GitHub.
        value = value.get(part, "")
    return value


def substitute(text, ctx):
    """A string with each ${{ }} replaced by its value, as GitHub does."""

    def one(match):
        value = evaluate(match.group(1), ctx)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return EXPR.sub(one, str(text))


def condition(text, ctx):
    text = str(text).strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text)
    return bool(evaluate(match.group(1) if match else text, ctx))


def read_pairs(path):
    """KEY=VALUE lines and KEY<<EOF blocks of a GITHUB_OUTPUT file."""
    pairs, lines = {}, open(path).read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            value = []
            i += 1
            while lines[i] != delim:
                value.append(lines[i])
                i += 1
            pairs[key] = "\n".join(value)
        elif "=" in line:
            key, value = line.split("=", 1)
            pairs[key] = value
        i += 1
    return pairs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--temp", required=True)
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--outputs")
    args = parser.parse_args()

    action = yaml.safe_load(open(args.action))
    assert action["runs"]["using"] == "composite", "a composite action"
    given = dict(kv.split("=", 1) for kv in args.input)
    unknown = set(given) - set(action.get("inputs", {}))
    if unknown:
        raise SystemExit(f"action.py: the action has no input {sorted(unknown)}")
    inputs = {name: given.get(name, str(spec.get("default", ""))) for name, spec in action["inputs"].items()}
    ctx = {
        "inputs": inputs,
        "github": {"action_path": os.path.dirname(os.path.abspath(args.action))},
        "runner": {"os": "Linux", "arch": "X64", "temp": args.temp},
        "steps": {},
    }
    path_prefix = []
    to_save = []
    env_base = dict(os.environ, RUNNER_TEMP=args.temp, GITHUB_ACTIONS="true", CI="true")

    for number, step in enumerate(action["runs"]["steps"], 1):
        name = step.get("name", step.get("uses", step.get("id")))
        if "if" in step and not condition(step["if"], ctx):
            print(f"action.py: step {number} ({name}): skipped", file=sys.stderr)
            continue
        outputs = {}
        if "uses" in step:
            if not step["uses"].startswith("actions/cache@"):
                raise SystemExit(f"action.py: cannot play {step['uses']}")
            path = substitute(step["with"]["path"], ctx)
            key = substitute(step["with"]["key"], ctx)
            saved = os.path.join(args.cache, key)
            hit = os.path.isdir(saved)
            if hit:
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(saved, path)
            else:
                to_save.append((path, saved))
            outputs["cache-hit"] = "true" if hit else "false"
            print(f"action.py: step {number} ({name}): cache {'hit' if hit else 'miss'} for {key}", file=sys.stderr)
        else:
            assert step.get("shell") == "bash", f"step {number}: only bash steps are played"
            env = dict(env_base)
            env["PATH"] = os.pathsep.join(path_prefix + [env_base["PATH"]])
            for key, value in (step.get("env") or {}).items():
                env[key] = substitute(value, ctx)
            with tempfile.TemporaryDirectory() as tmp:
                script = os.path.join(tmp, "step.sh")
                open(script, "w").write(step["run"])
                output_file = os.path.join(tmp, "output")
                path_file = os.path.join(tmp, "path")
                open(output_file, "w").close()
                open(path_file, "w").close()
                env["GITHUB_OUTPUT"], env["GITHUB_PATH"] = output_file, path_file
                print(f"action.py: step {number} ({name})", file=sys.stderr)
                result = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=args.workdir, env=env
                )
                if result.returncode != 0:
                    print(f"action.py: step {number} ({name}) failed with {result.returncode}", file=sys.stderr)
                    return 1
                outputs = read_pairs(output_file)
                path_prefix = [p for p in open(path_file).read().split("\n") if p] + path_prefix
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": outputs}

    for path, saved in to_save:
        if os.path.isdir(path):
            shutil.copytree(path, saved)
    result = {name: substitute(spec["value"], ctx) for name, spec in action.get("outputs", {}).items()}
    result["PATH+"] = path_prefix
    if args.outputs:
        json.dump(result, open(args.outputs, "w"), indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
