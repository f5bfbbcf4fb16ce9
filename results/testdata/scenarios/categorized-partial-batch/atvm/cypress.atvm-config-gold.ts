import { defineConfig } from "cypress";

export default defineConfig({
  projectId: "cdc-e2e",
  defaultCommandTimeout: 600000,
  video: false,
  reporter: "cypress-multi-reporters",
  reporterOptions: {
    reporterEnabled: "spec, mocha-junit-reporter, mochawesome",
    mochaJunitReporterReporterOptions: {
      mochaFile: "cypress/results/test-result-[hash].xml",
    },
    mochawesomeReporterOptions: {
      reportDir: "cypress/cmcReporter/mochawesome",
      reportFilename: "[name]",
      overwrite: false,
      html: true,
      json: false,
    },
  },
  e2e: {
    specPattern: [
      "cypress/e2e/generated/atvm5-ubuntu22.04.ts",
      "cypress/e2e/generated/atvm121-ubuntu24.04.ts",
    ],
    supportFile: "cypress/support/e2e.ts",
    setupNodeEvents(on, config) {
      return require("./cypress/plugins/index.js")(on, config);
    },
  },
  env: {
    pure_plugin_type: "iscsi",
    "test-install-only": false,
  },
});
