"""Lay out what actionlint and shellcheck read, for tests/install/run.sh.

    python3 lint.py REPO OUT

actionlint reads workflows only, so OUT/workflows/ gets the repository's
workflows, the scaffold's pages.yml, and action.yml turned into a workflow:
its steps as one job, its inputs as workflow_call inputs, so that every
`${{ inputs.* }}`, `steps.*` and `github.*` expression and step is checked.
OUT/scripts/ gets every `run:` script of those files for shellcheck, each
`${{ }}` replaced by a variable (as actionlint does before shellcheck).
"""

import glob
import os
import re
import shutil
import sys

import yaml

repo, out = sys.argv[1], sys.argv[2]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(f"{out}/workflows")
os.makedirs(f"{out}/scripts")

files = sorted(glob.glob(f"{repo}/.github/workflows/*.yml"))
for path in files:
    shutil.copy(path, f"{out}/workflows/{os.path.basename(path)}")
shutil.copy(f"{repo}/scaffold/pages.yml", f"{out}/workflows/scaffold-pages.yml")

action = yaml.safe_load(open(f"{repo}/action.yml"))
workflow = {
    "name": "action.yml as a workflow",
    "on": {
        "workflow_call": {
            "inputs": {
                name: {"description": spec["description"], "type": "string", "required": False, "default": spec.get("default", "")}
                for name, spec in action["inputs"].items()
            }
        }
    },
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
}
# Keep ${{ }} as written: dump without line folding.
with open(f"{out}/workflows/action-as-workflow.yml", "w") as f:
    yaml.safe_dump(workflow, f, sort_keys=False, width=10_000)

n = 0
for path in glob.glob(f"{out}/workflows/*.yml"):
    doc = yaml.safe_load(open(path))
    for job_name, job in doc["jobs"].items():
        for i, step in enumerate(job.get("steps", []), 1):
            if "run" not in step:
                continue
            shell = step.get("shell", "bash")
            if shell not in ("bash", "sh"):
                continue
            script = re.sub(r"\$\{\{.*?\}\}", "${GITHUB_EXPRESSION}", step["run"])
            name = f"{os.path.basename(path)[:-4]}-{job_name}-{i}.{shell}"
            with open(f"{out}/scripts/{name}", "w") as f:
                f.write(f"#!/usr/bin/env {shell}\nexport GITHUB_EXPRESSION=x\n{script}")
            n += 1
print(f"lint: {len(os.listdir(out + '/workflows'))} workflows, {n} run scripts")
