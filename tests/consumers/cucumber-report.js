// Renders a cucumber.json with cucumber-html-reporter, as a team's CI would:
// node cucumber-report.js CUCUMBER_JSON OUT_HTML
"use strict";
const reporter = require("cucumber-html-reporter");
const [jsonFile, output] = process.argv.slice(2);
reporter.generate({
  name: "idp-conformance",
  brandTitle: "cucumber.json",
  theme: "bootstrap",
  jsonFile,
  output,
  reportSuiteAsScenarios: true,
  scenarioTimestamp: true,
  launchReport: false,
  noInlineScreenshots: true,
});
