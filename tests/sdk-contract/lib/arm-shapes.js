// Checks a raw ARM reply against the models of @azure/arm-securityinsight: every property the
// emulator sends must be one the SDK's mapper declares (flattened `properties.x` names included),
// with the declared type, and every property the mapper requires must be there.
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

// The package keeps its mappers private; load its own bundle once more and keep a handle on them.
function loadMappers() {
  const file = require.resolve("@azure/arm-securityinsight");
  const source = fs.readFileSync(file, "utf8") + "\nmodule.exports.__mappers = Mappers;\n";
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(source, file);
  return m.exports.__mappers;
}

const mappers = loadMappers();

function modelOf(className) {
  const model = mappers[className];
  if (!model) throw new Error(`the SDK has no model named ${className}`);
  return model;
}

// modelProperties as a tree keyed by the JSON path segments of serializedName.
function propertyTree(className) {
  const tree = {};
  for (const [name, mapper] of Object.entries(modelOf(className).type.modelProperties)) {
    const parts = (mapper.serializedName || name).split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
    let node = tree;
    for (const part of parts.slice(0, -1)) node = node[part] = node[part] || { __nested: true };
    node[parts[parts.length - 1]] = mapper;
  }
  return tree;
}

function checkValue(value, mapper, where, problems) {
  if (value === null || value === undefined) {
    if (mapper.required && !mapper.nullable) problems.push(`${where}: null but required`);
    return;
  }
  const type = mapper.type.name;
  const is = (t) => typeof value === t;
  if (type === "String" || type === "Uuid") {
    if (!is("string")) problems.push(`${where}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === "Number") {
    if (!is("number")) problems.push(`${where}: expected a number, got ${JSON.stringify(value)}`);
  } else if (type === "Boolean") {
    if (!is("boolean")) problems.push(`${where}: expected a boolean`);
  } else if (type === "DateTime") {
    if (!is("string") || Number.isNaN(Date.parse(value))) problems.push(`${where}: expected a date-time, got ${value}`);
  } else if (type === "Enum") {
    if (!mapper.type.allowedValues.includes(value)) problems.push(`${where}: ${value} is not one of the enum's values`);
  } else if (type === "Sequence") {
    if (!Array.isArray(value)) problems.push(`${where}: expected an array`);
    else value.forEach((item, i) => checkValue(item, mapper.type.element, `${where}[${i}]`, problems));
  } else if (type === "Dictionary") {
    if (!is("object") || Array.isArray(value)) problems.push(`${where}: expected an object`);
  } else if (type === "Composite") {
    checkObject(value, mapper.type.className, where, problems);
  }
}

function checkNode(value, tree, where, problems) {
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${where}: expected an object`);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const mapper = tree[key];
    const at = `${where}.${key}`;
    if (!mapper) problems.push(`${at}: not in the SDK model`);
    else if (mapper.__nested) checkNode(child, mapper, at, problems);
    else checkValue(child, mapper, at, problems);
  }
  for (const [key, mapper] of Object.entries(tree)) {
    if (!mapper.__nested && mapper.required && !mapper.readOnly && !(key in value)) {
      problems.push(`${where}.${key}: required by the SDK model but missing`);
    }
  }
}

function checkObject(value, className, where, problems) {
  checkNode(value, propertyTree(className), where, problems);
}

// Throws when `body` does not fit model `className`.
function assertArmShape(body, className, what) {
  const problems = [];
  checkObject(body, className, what, problems);
  if (problems.length) throw new Error(`shape mismatch with the SDK model ${className}:\n  ${problems.join("\n  ")}`);
}

module.exports = { assertArmShape };
