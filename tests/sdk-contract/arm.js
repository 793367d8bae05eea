// @azure/arm-securityinsight against the emulator: every Sentinel route the daemon uses (list
// with filter/order/top and nextLink paging, the recent listing, get, create and replace with
// the etag, the stale-etag 409, comments list and create) plus the routes a SOC engineer's
// tooling reaches for (comment get and delete, the alerts, entities and bookmarks actions,
// delete). Each raw reply is also checked against the SDK's own model of it.
"use strict";
const { SecurityInsights } = require("@azure/arm-securityinsight");
const { assertArmShape } = require("./lib/arm-shapes.js");
const { baseUrl, SUBSCRIPTION, RESOURCE_GROUP, credential, step, fail } = require("./lib/common.js");

const WS = "soc-sentinel";
const UNIFIED = "soc-unified";
const NEW_ID = "0f0e0d0c-1111-4222-8333-444455556666";
const COMMENT_ID = "c0c0c0c0-1111-4222-8333-444455556666";

function client(apiVersion) {
  return new SecurityInsights(credential(), SUBSCRIPTION, {
    endpoint: baseUrl,
    $host: baseUrl,
    credentialScopes: ["https://management.azure.com/.default"],
    ...(apiVersion ? { apiVersion } : {}),
  });
}

// Options that keep the raw reply of the call, for the shape check and the status.
function capture() {
  const seen = [];
  return { seen, options: { onResponse: (raw) => seen.push({ status: raw.status, body: JSON.parse(raw.bodyAsText || "null") }) } };
}

async function listAll(iterable) {
  const items = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function expectError(promise, status, code) {
  try {
    await promise;
  } catch (e) {
    if (e.statusCode !== status || (code && e.code !== code)) fail(`expected ${status} ${code}, got ${e.statusCode} ${e.code}`);
    return;
  }
  fail(`expected ${status} ${code}, got success`);
}

async function listings(sdk) {
  await step("incidents list: $filter, $orderby, $top=1 and nextLink paging", async () => {
    const raw = capture();
    const items = await listAll(sdk.incidents.list(RESOURCE_GROUP, WS, {
      filter: "properties/lastModifiedTimeUtc ge 2020-01-01T00:00:00.0000000Z",
      orderby: "properties/lastModifiedTimeUtc asc", top: 1, ...raw.options }));
    if (items.length !== 2) fail(`expected the 2 seeded incidents, got ${items.length}`);
    if (raw.seen.length < 2) fail("expected a nextLink to a second page");
    raw.seen.forEach((page, i) => assertArmShape(page.body, "IncidentList", `page ${i}`));
    if (!items.every((i) => i.etag && i.title && i.incidentNumber > 0)) fail("an incident lost its etag/title/number");
  });
  await step("incidents list: recent, $orderby createdTimeUtc desc", async () => {
    const items = await listAll(sdk.incidents.list(RESOURCE_GROUP, WS, { orderby: "properties/createdTimeUtc desc", top: 50 }));
    if (items[0].incidentNumber < items[items.length - 1].incidentNumber) fail("not newest first");
  });
  await step("incidents list: a Defender twin in an onboarded workspace", async () => {
    const raw = capture();
    const twins = await listAll(sdk.incidents.list(RESOURCE_GROUP, UNIFIED, raw.options));
    if (twins.length !== 3 || !twins.every((t) => t.providerIncidentId)) fail(`expected 3 twins, got ${twins.length}`);
    assertArmShape(raw.seen[0].body, "IncidentList", "twins");
  });
}

async function writes(sdk) {
  const raw = capture();
  const created = await step("incident create (PUT, 201)", async () => {
    const r = await sdk.incidents.createOrUpdate(RESOURCE_GROUP, WS, NEW_ID,
      { title: "Created by the SDK", severity: "High", status: "New", description: "contract test" }, raw.options);
    if (raw.seen[0].status !== 201) fail(`expected 201, got ${raw.seen[0].status}`);
    assertArmShape(raw.seen[0].body, "Incident", "created");
    return r;
  });
  const fetched = await step("incident get", async () => {
    const got = capture();
    const r = await sdk.incidents.get(RESOURCE_GROUP, WS, NEW_ID, got.options);
    assertArmShape(got.seen[0].body, "Incident", "get");
    if (r.etag !== created.etag || r.title !== "Created by the SDK") fail("get differs from the create reply");
    return r;
  });
  const replaced = await step("incident replace with the etag (PUT, 200), closing it", async () => {
    const put = capture();
    const r = await sdk.incidents.createOrUpdate(RESOURCE_GROUP, WS, NEW_ID, {
      etag: fetched.etag, title: fetched.title, severity: "High", status: "Closed",
      classification: "TruePositive", classificationReason: "SuspiciousActivity",
      classificationComment: "confirmed", owner: { assignedTo: "Analyst", userPrincipalName: "analyst@contoso.com" },
      labels: [{ labelName: "synced" }] }, put.options);
    if (put.seen[0].status !== 200 || r.etag === fetched.etag || r.status !== "Closed") fail("replace did not apply");
    assertArmShape(put.seen[0].body, "Incident", "replaced");
    return r;
  });
  await step("incident replace with a stale etag gets 409 Conflict", () =>
    expectError(sdk.incidents.createOrUpdate(RESOURCE_GROUP, WS, NEW_ID,
      { etag: fetched.etag, title: "stale", severity: "Low", status: "New" }), 409, "Conflict"));
  await step("incident get of a missing id gets 404", () =>
    expectError(sdk.incidents.get(RESOURCE_GROUP, WS, "11111111-2222-4333-8444-555555555555"), 404));
  return replaced;
}

async function comments(sdk) {
  await step("comment create (PUT, 201)", async () => {
    const raw = capture();
    await sdk.incidentComments.createOrUpdate(RESOURCE_GROUP, WS, NEW_ID, COMMENT_ID, { message: "from the SDK" }, raw.options);
    if (raw.seen[0].status !== 201) fail(`expected 201, got ${raw.seen[0].status}`);
    assertArmShape(raw.seen[0].body, "IncidentComment", "comment");
  });
  await step("comments list", async () => {
    const raw = capture();
    const list = await listAll(sdk.incidentComments.list(RESOURCE_GROUP, WS, NEW_ID, raw.options));
    if (list.length !== 1 || list[0].message !== "from the SDK" || !list[0].author) fail("the comment is not listed");
    assertArmShape(raw.seen[0].body, "IncidentCommentList", "comments");
  });
  await step("comment get and delete", async () => {
    const got = await sdk.incidentComments.get(RESOURCE_GROUP, WS, NEW_ID, COMMENT_ID);
    if (got.message !== "from the SDK") fail("comment get");
    await sdk.incidentComments.delete(RESOURCE_GROUP, WS, NEW_ID, COMMENT_ID);
    await expectError(sdk.incidentComments.get(RESOURCE_GROUP, WS, NEW_ID, COMMENT_ID), 404);
  });
}

async function actions(sdk) {
  const seeded = (await listAll(sdk.incidents.list(RESOURCE_GROUP, WS, { filter: "properties/title eq 'Brute force'" })))[0];
  await step("incident alerts action", async () => {
    const raw = capture();
    const r = await sdk.incidents.listAlerts(RESOURCE_GROUP, WS, seeded.name, raw.options);
    if (r.value.length !== 2) fail(`expected 2 alerts, got ${r.value.length}`);
    assertArmShape(raw.seen[0].body, "IncidentAlertList", "alerts");
  });
  await step("incident entities and bookmarks actions", async () => {
    const e = capture(), b = capture();
    await sdk.incidents.listEntities(RESOURCE_GROUP, WS, seeded.name, e.options);
    await sdk.incidents.listBookmarks(RESOURCE_GROUP, WS, seeded.name, b.options);
    assertArmShape(e.seen[0].body, "IncidentEntitiesResponse", "entities");
    assertArmShape(b.seen[0].body, "IncidentBookmarkList", "bookmarks");
  });
  await step("incident delete", async () => {
    await sdk.incidents.delete(RESOURCE_GROUP, WS, NEW_ID);
    await expectError(sdk.incidents.get(RESOURCE_GROUP, WS, NEW_ID), 404);
  });
}

async function main() {
  const sdk = client("2025-09-01");  // the daemon's api-version
  await listings(sdk);
  await writes(sdk);
  await comments(sdk);
  await actions(sdk);
  await step("the SDK's own api-version (2022-09-01-preview)", async () => {
    const items = await listAll(client().incidents.list(RESOURCE_GROUP, WS));
    if (items.length !== 2) fail(`expected 2 incidents, got ${items.length}`);
  });
}

main().catch((e) => {
  console.error(`arm: ${e.message}`);
  process.exit(1);
});
