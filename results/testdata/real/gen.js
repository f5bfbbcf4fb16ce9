// Writes a five-host, non-categorized cmc-reboot run with the real
// reporters: mocha runs generated-spec-shaped suites through
// cypress-multi-reporters ("spec, mocha-junit-reporter, mochawesome"), and
// cypress-cloud's own bundled functions print its lines and its Cloud Run
// Finished table. A virtual clock gives hour-long durations in no time.
// Usage: node gen.js OUTDIR, run in the project root (see generate.sh):
// the reporters write under cypress/ there, as under Cypress.
"use strict";

const RealDate = Date;
let now = RealDate.parse("2026-11-17T14:41:08.000Z");
class FakeDate extends RealDate {
  constructor(...a) {
    if (a.length === 0) super(now);
    else super(...a);
  }
  static now() {
    return now;
  }
}
global.Date = FakeDate; // before mocha is loaded: it keeps global.Date
const advance = (ms) => {
  now += ms;
};

const fs = require("fs");
const path = require("path");
const Module = require("module");
const Mocha = require("mocha");

const outDir = process.argv[2];
const atvm = process.cwd();

// cypress-cloud keeps its table and log helpers private: load its bundle
// with them added to the exports.
function cypressCloud() {
  const file = require.resolve("cypress-cloud");
  const src = fs.readFileSync(file, "utf8") +
    "\nmodule.exports.__internals = { summaryTable, title, info, divider, getCurrentsConfig };\n";
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(src, file);
  return m.exports.__internals;
}

const md5Err = "`cy.exec('sshpass -e ssh -o StrictHostKeyChecking=no root@10.20.30.72 \"md5sum -c /root/tmp/fcDisk/diskname2Reboot.md5\"')` failed because the command exited with a non-zero code.\n\nPass `{failOnNonZeroExit: false}` to ignore exit code failures.\n\nInformation about the failure:\nCode: 1\n\nStderr:\nmd5sum: /root/tmp/fcDisk/diskname2Reboot.md5: No such file or directory\n\nhttps://on.cypress.io/exec";
const sshErr = "`cy.task('sshExec')` failed with the following error:\n\n> ssh: connect to host 10.20.30.88 port 22: Connection refused\n\nhttps://on.cypress.io/api/task";

function rebootSteps(n) {
  const out = [];
  for (let i = 1; i <= n; i++) out.push(`${i}. Reboot validation step ${i}`);
  out[0] = "1. Verifying set up";
  if (n >= 38) {
    out[36] = "37. Write diskname2Reboot file and md5 after reboot";
    out[37] = "38. Verify diskname2Reboot file is the same as diskname2Reboots source (Reboot test)";
  }
  return out;
}

// The hosts: long template-prefixed spec names, a pass of 1h 45m 20s, a
// pass of 31m 16s, two failures.
const hosts = [
  { vm: "atvm121-ubuntu24.04", spec: "cmc-reboot-fc-atvm121-ubuntu24.04.ts", ms: 2100000 },
  { vm: "atvm72-redhat9.6", spec: "cmc-reboot-fc-atvm72-redhat9.6.ts", ms: 1900000, failAt: 38, err: md5Err },
  { vm: "atvm5-ubuntu22.04", spec: "atvm5-ubuntu22.04.ts", ms: 6320000 },
  { vm: "atvm9-debian12.5", spec: "atvm9-debian12.5.ts", ms: 1876000 },
  { vm: "atvm88-oracle8.10", spec: "cmc-reboot-fc-atvm88-oracle8.10.ts", ms: 95000, failAt: 1, err: sshErr },
];
const specPath = (h) => "cypress/e2e/generated/" + h.spec;

const mtimes = {};
function touch(rel, t) {
  fs.utimesSync(path.join(atvm, rel), new RealDate(t), new RealDate(t));
  mtimes["atvm/" + rel] = new RealDate(t).toISOString();
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => !fs.statSync(path.join(dir, f)).isDirectory());
}

// runHost runs one host's suite as Cypress would hand it to mocha: the
// root suite carries the spec path, the describe is "<vm> cmc-reboot".
function runHost(h) {
  const mocha = new Mocha({
    timeout: 0, // Cypress runs mocha without its timeouts
    slow: 10000,
    reporter: "cypress-multi-reporters",
    reporterOptions: {
      reporterEnabled: "spec, mocha-junit-reporter, mochawesome",
      mochaJunitReporterReporterOptions: { mochaFile: "cypress/results/test-result-[hash].xml" },
      mochawesomeReporterOptions: {
        reportDir: "cypress/cmcReporter/mochawesome",
        reportFilename: "[name]_[status]",
        timestamp: "isoDateTime",
        overwrite: false,
        html: true,
        json: false,
      },
    },
  });
  mocha.suite.file = specPath(h);
  const s = Mocha.Suite.create(mocha.suite, `${h.vm} cmc-reboot`);
  const steps = rebootSteps(40);
  const ran = h.failAt ? h.failAt : steps.length;
  const per = Math.floor(h.ms / ran);
  steps.forEach((title, i) => {
    const n = i + 1;
    if (h.failAt && n > h.failAt) {
      s.addTest(new Mocha.Test(title)); // no function: pending, as after a fail-fast skip
      return;
    }
    const ms = n === ran ? h.ms - per * (ran - 1) : per;
    s.addTest(new Mocha.Test(title, () => {
      advance(ms);
      if (n === h.failAt) {
        const e = new Error(h.err);
        e.name = "CypressError";
        e.stack = "CypressError: " + h.err + "\n    at Context.eval (webpack://cdc-e2e-cyp-12.17.4/./" + specPath(h) + ":78:11)";
        throw e;
      }
    }));
  });
  const before = new Set([
    ...listFiles(path.join(atvm, "cypress/results")).map((f) => "cypress/results/" + f),
    ...listFiles(path.join(atvm, "cypress/cmcReporter/mochawesome")).map((f) => "cypress/cmcReporter/mochawesome/" + f),
  ]);
  return new Promise((resolve) => {
    mocha.run(() => setTimeout(() => {
      const t = now;
      for (const dir of ["cypress/results", "cypress/cmcReporter/mochawesome"]) {
        for (const f of listFiles(path.join(atvm, dir))) {
          const rel = dir + "/" + f;
          if (!before.has(rel)) touch(rel, t + 1000);
        }
      }
      resolve();
    }, 200));
  });
}

async function main() {
  const cc = cypressCloud();
  fs.mkdirSync(path.join(atvm, "cypress/results"), { recursive: true });
  const url = "https://app.currents.dev/run/5e1f07a9c2d4b318";
  await cc.getCurrentsConfig(atvm);
  cc.info("Discovered %d spec files", hosts.length);
  cc.info("Tags: false; Group: false; Parallel: false; Batch Size: 3");
  cc.info("Connecting to cloud orchestration service...");
  cc.info("\u{1F3A5} Run URL:", url);
  const runs = [];
  for (let i = 0; i < hosts.length; i += 3) {
    const batch = hosts.slice(i, i + 3);
    cc.divider();
    cc.info("Running: %s (%d/%d)", batch.map(specPath).join(", "), i + batch.length, hosts.length);
    for (const h of batch) {
      const start = now;
      await runHost(h);
      advance(20000);
      const steps = 40;
      const failures = h.failAt ? 1 : 0;
      const passes = h.failAt ? h.failAt - 1 : steps;
      runs.push({
        spec: { relativeToCommonRoot: h.spec },
        stats: { tests: steps, passes, failures, pending: steps - passes - failures, skipped: 0, duration: h.ms, start },
      });
    }
    cc.title("blue", "Reporting results and artifacts in background...");
  }
  cc.divider();
  const sum = (k) => runs.reduce((a, r) => a + r.stats[k], 0);
  const summary = { runs, totalDuration: sum("duration"), totalTests: sum("tests"), totalPassed: sum("passes"),
    totalFailed: sum("failures"), totalPending: sum("pending"), totalSkipped: sum("skipped") };
  cc.title("white", "Cloud Run Finished");
  console.log(cc.summaryTable(summary));
  cc.info("\n\u{1F3C1} Recorded Run:", url);
  mtimes["tmp/reboot-real.log"] = new RealDate(now + 2000).toISOString(); // set by generate.sh
  const sorted = {};
  for (const k of Object.keys(mtimes).sort()) sorted[k] = mtimes[k];
  fs.writeFileSync(path.join(outDir, "mtimes.json"), JSON.stringify(sorted, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
