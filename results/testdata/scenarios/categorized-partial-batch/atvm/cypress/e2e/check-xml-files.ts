// Bookkeeping spec run by run-sorry-cypress.py after each batch: checks the
// JUnit files were written. Its results are not machine results.
describe("check-xml-files", () => {
  it("Verify result XML files", () => {
    cy.task("checkXmlFiles", Cypress.env("vms"));
  });
});
