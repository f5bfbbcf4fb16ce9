#!/usr/bin/env python3
"""Test fake of the ATVM runner: prints a cypress-cloud style log, starts a
cypress-cloud child, writes per-host artifacts. .fake/runner.json:
{"seconds": N (run length), "exit": code, "hang": bool (after the upload
the child exits unreaped and the runner never exits)}."""
import json, os, re, subprocess, sys, time

os.makedirs(".fake", exist_ok=True)
with open(".fake/audit.jsonl", "a") as f:
    f.write(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "prog": "runner", "time": time.time()}) + "\n")
scn = {}
if os.path.exists(".fake/runner.json"):
    scn = json.load(open(".fake/runner.json"))
args = sys.argv[1:]
build = args[args.index("--build_name") + 1]
cfg = args[args.index("--config_file") + 1]
specs = re.findall(r'"(cypress/e2e/generated/[^"]+)"', open(cfg).read())
print("Extracted specPattern: %r" % specs, flush=True)
seconds = float(scn.get("seconds", 1))
hang = scn.get("hang", False)
child_secs = 0 if hang else seconds
child = subprocess.Popen([sys.executable, "-c", "import sys,time; time.sleep(float(sys.argv[1]))", str(child_secs),
                          "npx", "cypress-cloud", "run", "--ci-build-id", build, "--key", "s3cr3t-record-key"])
print("🎥 Run URL: https://app.currents.dev/run/3c9e0b7d51a2f846", flush=True)
os.makedirs("cypress/results", exist_ok=True)
for i, spec in enumerate(specs):
    vm = os.path.basename(spec)[:-3]
    print("Running: %s (%d/%d)" % (spec, i + 1, len(specs)), flush=True)
    d = "cypress/cmcReporter/logs/" + vm
    os.makedirs(d, exist_ok=True)
    with open("%s/%s-2026-05-11T14-02-07-118Z.txt" % (d, vm), "a") as f:
        f.write("=== cmcReporter console transcript ===\nhost: %s\n" % vm)
    with open("cypress/results/test-result-%s.xml" % vm, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Mocha Tests" tests="2" failures="0"></testsuites>\n')
if not hang:
    time.sleep(seconds)
    child.wait()
print("\n  Cloud Run Finished  \n", flush=True)
print("\U0001F3C1 Recorded Run: https://app.currents.dev/run/3c9e0b7d51a2f846", flush=True)
if hang:
    time.sleep(3600)
sys.exit(int(scn.get("exit", 0)))
