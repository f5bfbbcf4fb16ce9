#!/usr/bin/env python3
"""Test fake of the ATVM template generator: records its argv, writes one
generated spec per VM and the config's specPattern. Behaviour comes from
.fake/template.json: {"mode": "ok"|"fail"|"omit"|"extra"|"slow"|"stale",
"vm": "<vm for omit/extra>", "seconds": N, "inventory": [...]}."""
import json, os, sys, time

os.makedirs(".fake", exist_ok=True)
with open(".fake/audit.jsonl", "a") as f:
    f.write(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "prog": "template", "time": time.time()}) + "\n")

scn = {}
if os.path.exists(".fake/template.json"):
    scn = json.load(open(".fake/template.json"))
mode = scn.get("mode", "ok")

args = sys.argv[1:]
def opt(name):
    if name in args:
        i = args.index(name)
        return args[i + 1] if i + 1 < len(args) else ""
    return None

cfg = opt("--config_file") or "cypress.atvm-config-gold.ts"
print("cmc-templates: template %s, config %s" % (opt("--template_name"), cfg), flush=True)
if mode == "slow":
    time.sleep(float(scn.get("seconds", 30)))
if mode == "fail":
    print("Traceback (most recent call last):")
    print('  File "./cmc-templates.py", line 812, in <module>')
    print("KeyError: 'atvm999-nosuch1.0' not in VM inventory")
    print("ERROR: template generation failed")
    sys.exit(3)

vms = []
if opt("--specify_vms") is not None:
    vms = [v for v in opt("--specify_vms").replace(",", " ").split() if v]
elif opt("--containsVm") is not None:
    part = opt("--containsVm")
    excl = (opt("--exclude_partial_match") or "").replace(",", " ").split()
    vms = [v for v in scn.get("inventory", []) if part in v and not any(e in v for e in excl)]
if mode == "omit" and scn.get("vm") in vms:
    vms.remove(scn["vm"])
pattern_vms = list(vms)
if mode == "extra":
    pattern_vms.append(scn["vm"])

if mode == "stale":
    sys.exit(0)  # writes nothing: the files on disk are from an earlier run
os.makedirs("cypress/e2e/generated", exist_ok=True)
for vm in pattern_vms:
    with open("cypress/e2e/generated/%s.ts" % vm, "w") as f:
        f.write('describe("%s cmc-e2e", () => {\n  it("1. Verifying set up", () => {});\n  it("2. Power off", () => {});\n});\n' % vm)
if mode == "omit":
    # the spec exists but the config does not name it
    with open("cypress/e2e/generated/%s.ts" % scn["vm"], "w") as f:
        f.write("// generated\n")
with open(cfg, "w") as f:
    f.write("import { defineConfig } from 'cypress';\n// specPattern: ['not/this.ts']\nexport default defineConfig({\n  e2e: {\n    specPattern: [\n")
    for vm in pattern_vms:
        f.write('      "cypress/e2e/generated/%s.ts",\n' % vm)
    f.write("    ],\n  },\n  env: { pure_plugin_type: 'iscsi' },\n});\n")
print("generated %d specs" % len(pattern_vms), flush=True)
