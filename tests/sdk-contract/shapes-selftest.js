// The shape checks themselves: each must refuse a reply that departs from the SDK models, or a
// passing contract run would prove nothing.
"use strict";
const { assertArmShape } = require("./lib/arm-shapes.js");
const { assertGraphShape } = require("./lib/graph-shapes.js");
const { step, fail } = require("./lib/common.js");

function refuses(check, why) {
  try {
    check();
  } catch (e) {
    if (!e.message.includes(why)) fail(`refused for another reason: ${e.message}`);
    return;
  }
  fail(`accepted a reply that is wrong (${why})`);
}

const incident = { id: "/x", name: "n", type: "Microsoft.SecurityInsights/incidents", etag: "\"e\"",
                   properties: { title: "t", severity: "High", status: "New", incidentNumber: 1 } };
const graphIncident = { id: "1", status: "active", severity: "high", customTags: [], comments: [] };

async function main() {
  await step("a well-formed ARM incident and Graph incident pass", () => {
    assertArmShape(incident, "Incident", "arm");
    assertGraphShape(graphIncident, "Incident", "graph");
  });
  await step("ARM: an unknown property, a wrong type, a bad enum value are refused", () => {
    refuses(() => assertArmShape({ ...incident, properties: { ...incident.properties, bogus: 1 } }, "Incident", "a"),
            "not in the SDK model");
    refuses(() => assertArmShape({ ...incident, properties: { ...incident.properties, incidentNumber: "1" } },
                                 "Incident", "a"), "expected a number");
    refuses(() => assertArmShape({ ...incident, properties: { ...incident.properties, owner: [] } }, "Incident", "a"),
            "expected an object");
  });
  await step("Graph: an unknown property, a wrong-case enum, a non-array are refused", () => {
    refuses(() => assertGraphShape({ ...graphIncident, bogus: 1 }, "Incident", "g"), "not in the Graph model");
    refuses(() => assertGraphShape({ ...graphIncident, status: "Active" }, "Incident", "g"), "is not a member");
    refuses(() => assertGraphShape({ ...graphIncident, customTags: "x" }, "Incident", "g"), "expected an array");
    refuses(() => assertGraphShape({ ...graphIncident, comments: [{ comment: 1 }] }, "Incident", "g"),
            "expected a string");
  });
}

main().catch((e) => {
  console.error(`shapes-selftest: ${e.message}`);
  process.exit(1);
});
