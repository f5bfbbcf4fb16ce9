import { defineConfig } from "cypress";

export default defineConfig({
  reporter: "cypress-multi-reporters",
  reporterOptions: {
    reporterEnabled: "spec, mocha-junit-reporter, mochawesome",
    mochaJunitReporterReporterOptions: { mochaFile: "cypress/results/test-result-[hash].xml" },
    mochawesomeReporterOptions: { reportDir: "cypress/cmcReporter/mochawesome", reportFilename: "[name]_[status]_[datetime]", overwrite: false, html: true, json: false },
  },
  e2e: {
    specPattern: [
      "cypress/e2e/generated/atvm71-redhat9.1.ts",
      "cypress/e2e/generated/atvm72-redhat9.2.ts"
    ],
  },
  env: { pluginType: "iscsi", "test-install-only": false },
});
