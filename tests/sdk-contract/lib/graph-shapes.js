// Checks a raw Graph reply against @microsoft/microsoft-graph-types, the typed models of the
// Graph metadata: every property sent must be declared on the entity (security namespace), with
// a value of the declared kind, and enum values must be members.
"use strict";
const fs = require("node:fs");

const source = fs
  .readFileSync(require.resolve("@microsoft/microsoft-graph-types/microsoft-graph.d.ts"), "utf8")
  .replace(/\r\n/g, "\n");
const security = source.slice(source.indexOf("export namespace SecurityNamespace {"));
const root = source.slice(0, source.indexOf("export namespace SecurityNamespace {"));

function interfaceBody(text, name) {
  const start = text.search(new RegExp(`\\n    (export )?interface ${name}( extends [\\w.]+)? \\{\\n`));
  if (start < 0) return null;
  const open = text.indexOf("{", start);
  return text.slice(open + 1, text.indexOf("\n    }", open));
}

function properties(name) {
  const body = interfaceBody(security, name) || interfaceBody(root, name);
  if (!body) throw new Error(`graph types have no interface ${name}`);
  const props = { id: "string" };  // both incident and alert extend microsoftgraph.Entity
  for (const m of body.matchAll(/^\s{8}(\w+)\?: (.+);$/gm)) props[m[1]] = m[2];
  return props;
}

function enumMembers(name) {
  const m = security.match(new RegExp(`\\n    type ${name} =([^;]+);`));
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : null;
}

function checkValue(value, type, where, problems) {
  const nullable = type.match(/^NullableOption<(.+)>$/);
  if (nullable) {
    if (value === null) return;
    type = nullable[1];
  }
  if (value === null || value === undefined) return problems.push(`${where}: null but not nullable`);
  if (type.endsWith("[]")) {
    if (!Array.isArray(value)) return problems.push(`${where}: expected an array`);
    return value.forEach((v, i) => checkValue(v, type.slice(0, -2), `${where}[${i}]`, problems));
  }
  if (type === "string" || type === "number" || type === "boolean") {
    if (typeof value !== type) problems.push(`${where}: expected a ${type}, got ${JSON.stringify(value)}`);
    return;
  }
  const members = enumMembers(type);
  if (members) {
    if (!members.includes(value)) problems.push(`${where}: '${value}' is not a member of ${type}`);
    return;
  }
  const name = type.replace(/^microsoftgraph\./, "");
  if (typeof value !== "object" || Array.isArray(value)) return problems.push(`${where}: expected an object`);
  // Dictionary and polymorphic evidence: an object is enough; our own entities are checked deeply.
  if (["Incident", "Alert", "AlertComment"].includes(name)) checkEntity(value, name, where, problems);
}

// Properties Graph v1.0 serves that this release of the typed models predates
// (spec/api-defender.md §1.1: priorityScore, added by the changelog entry S35).
const NEWER_THAN_MODELS = { Incident: { priorityScore: "NullableOption<number>" } };

function checkEntity(value, name, where, problems) {
  const props = { ...properties(name), ...(NEWER_THAN_MODELS[name] || {}) };
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith("@odata.")) continue;
    if (!(key in props)) problems.push(`${where}.${key}: not in the Graph model ${name}`);
    else checkValue(child, props[key], `${where}.${key}`, problems);
  }
}

function assertGraphShape(body, name, what) {
  const problems = [];
  checkEntity(body, name, what, problems);
  if (problems.length) throw new Error(`shape mismatch with the Graph model ${name}:\n  ${problems.join("\n  ")}`);
}

module.exports = { assertGraphShape, properties };
