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
      "cypress/e2e/generated/cmc-reboot-fc-atvm121-ubuntu24.04.ts",
      "cypress/e2e/generated/cmc-reboot-fc-atvm72-redhat9.6.ts",
      "cypress/e2e/generated/cmc-reboot-fc-atvm5-ubuntu22.04.ts",
      "cypress/e2e/generated/cmc-reboot-fc-atvm9-debian12.5.ts",
      "cypress/e2e/generated/cmc-reboot-fc-atvm88-oracle8.10.ts"
    ],
  },
  env: { pluginType: "iscsi", "test-install-only": false },
});
