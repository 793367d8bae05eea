// @microsoft/microsoft-graph-client against the emulator: every Graph route the daemon uses
// (incident listing with $filter/$orderby/$top/$expand/$count and @odata.nextLink, get with
// $expand, PATCH, comments, alerts_v2 by incident, beta createAlert) and the typed-literal and
// $select rules. Each reply is checked against the Graph models (@microsoft/microsoft-graph-types).
"use strict";
const { Client } = require("@microsoft/microsoft-graph-client");
const { TokenCredentialAuthenticationProvider } =
  require("@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials");
const { assertGraphShape } = require("./lib/graph-shapes.js");
const { baseUrl, credential, step, fail } = require("./lib/common.js");

function client(version) {
  const authProvider = new TokenCredentialAuthenticationProvider(credential(), {
    scopes: ["https://graph.microsoft.com/.default"] });
  // The client only sends the token to Graph's own hosts and to the custom hosts named here.
  return Client.initWithMiddleware({ authProvider, baseUrl: `${baseUrl}/`, defaultVersion: version,
                                     customHosts: new Set([new URL(baseUrl).hostname]) });
}

async function expectError(promise, status) {
  try {
    await promise;
  } catch (e) {
    if (e.statusCode !== status) fail(`expected ${status}, got ${e.statusCode} ${e.code}: ${e.message}`);
    return e;
  }
  fail(`expected ${status}, got success`);
}

async function listing(graph) {
  return step("incidents list: $filter, $orderby, $top=2, $expand=alerts, $count and nextLink paging", async () => {
    const all = [];
    let page = await graph.api("/security/incidents")
      .filter("lastUpdateDateTime ge 2020-01-01T00:00:00Z and status ne 'resolved' and status ne 'redirected'")
      .orderby("lastUpdateDateTime asc").top(2).expand("alerts").count(true)
      .header("Prefer", "include-unknown-enum-members").get();
    if (page["@odata.count"] !== 3) fail(`@odata.count is ${page["@odata.count"]}, expected 3`);
    for (;;) {
      page.value.forEach((incident, i) => assertGraphShape(incident, "Incident", `value[${i}]`));
      all.push(...page.value);
      if (!page["@odata.nextLink"]) break;
      page = await graph.api(page["@odata.nextLink"]).get();
    }
    if (all.length !== 3 || !all.every((i) => Array.isArray(i.alerts) && i.alerts.length > 0)) {
      fail("expected 3 incidents with their alerts");
    }
    return all;
  });
}

async function incident(graph, id) {
  await step("incident get with $expand=alerts", async () => {
    const one = await graph.api(`/security/incidents/${id}`).expand("alerts").get();
    if (!one["@odata.context"]) fail("no @odata.context");
    assertGraphShape(one, "Incident", "incident");
  });
  await step("incident PATCH returns the full incident", async () => {
    const patched = await graph.api(`/security/incidents/${id}`).patch({
      status: "inProgress", classification: "truePositive", determination: "multiStagedAttack",
      assignedTo: "soc@contoso.com", customTags: ["synced"] });
    if (patched.status !== "inProgress" || patched.customTags[0] !== "synced") fail("the PATCH did not apply");
    assertGraphShape(patched, "Incident", "patched");
  });
  await step("incident comment POST returns the whole list", async () => {
    const list = await graph.api(`/security/incidents/${id}/comments`).post({
      "@odata.type": "microsoft.graph.security.alertComment", comment: "from the SDK" });
    if (list.value[list.value.length - 1].comment !== "from the SDK") fail("comment missing");
    list.value.forEach((c, i) => assertGraphShape(c, "AlertComment", `comments[${i}]`));
  });
  await step("alerts_v2 by incident", async () => {
    const alerts = await graph.api("/security/alerts_v2").filter(`incidentId eq '${id}'`).top(100).get();
    if (alerts.value.length !== 2) fail(`expected 2 alerts, got ${alerts.value.length}`);
    alerts.value.forEach((a, i) => assertGraphShape(a, "Alert", `alerts[${i}]`));
  });
  await step("$select projects the incident", async () => {
    const one = await graph.api(`/security/incidents/${id}`).select(["id", "status"]).get();
    if (Object.keys(one).filter((k) => !k.startsWith("@")).sort().join() !== "id,status") fail("not projected");
  });
  await step("a quoted date-time and a wrong-case enum are refused", async () => {
    await expectError(graph.api("/security/incidents").filter("lastUpdateDateTime ge '2020-01-01T00:00:00Z'").get(), 400);
    await expectError(graph.api("/security/incidents").filter("status eq 'Active'").get(), 400);
  });
  await step("incident get of a missing id gets 404", () => expectError(graph.api("/security/incidents/999999").get(), 404));
}

async function createAlert(beta, id) {
  await step("beta createAlert links to an incident (201)", async () => {
    const alert = await beta.api("/security/alerts_v2/createAlert").post({ createAlertInput: {
      title: "Raised by automation", severity: "medium", description: "contract test", category: "Execution",
      linkToIncident: id, isExcludedFromCorrelation: true, recommendedActions: "Isolate the device",
      entityDefinitions: [{ entityType: "device", entityIdentifier: "deviceName", identifierValue: "laptop-7",
                            role: "impacted" }] } });
    if (alert.incidentId !== id) fail(`the alert joined incident ${alert.incidentId}`);
    assertGraphShape(alert, "Alert", "created alert");
  });
}

async function main() {
  const graph = client("v1.0");
  const incidents = await listing(graph);
  const first = incidents.find((i) => i.displayName === "Phishing campaign");
  await incident(graph, first.id);
  await createAlert(client("beta"), first.id);
}

main().catch((e) => {
  console.error(`graph: ${e.message}`);
  process.exit(1);
});
