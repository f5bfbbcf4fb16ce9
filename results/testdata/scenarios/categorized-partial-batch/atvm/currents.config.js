module.exports = {
  projectId: "cdc-e2e",
  cloudServiceUrl: "https://cy.currents.dev",
};
