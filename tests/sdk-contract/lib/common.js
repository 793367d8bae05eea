// What every contract script shares: the emulator's address, the scenario's identities, one
// ClientSecretCredential signing in against the emulator's authority, and a step runner that
// names the failing call.
"use strict";
const { ClientSecretCredential } = require("@azure/identity");

const baseUrl = process.env.EMULATOR_URL;
if (!baseUrl || !baseUrl.startsWith("https://")) throw new Error("EMULATOR_URL must name the emulator's https base");

const TENANT = "contoso";
const CLIENT_ID = "sdk-contract-app";
const SECRET = "sdk-contract-secret";
const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
const RESOURCE_GROUP = "soc-rg";

function credential() {
  // Instance discovery would ask login.microsoftonline.com about this host; the emulator serves
  // the tenant's OpenID configuration itself, which MSAL then reads from authorityHost.
  return new ClientSecretCredential(TENANT, CLIENT_ID, SECRET, { authorityHost: baseUrl, disableInstanceDiscovery: true });
}

async function step(name, fn) {
  try {
    const value = await fn();
    console.log(`  ok ${name}`);
    return value;
  } catch (e) {
    const detail = e.statusCode || e.code ? ` [${e.statusCode || ""} ${e.code || ""}]` : "";
    throw new Error(`${name}${detail}: ${e.message}`);
  }
}

function fail(message) {
  throw new Error(message);
}

module.exports = { baseUrl, TENANT, SUBSCRIPTION, RESOURCE_GROUP, credential, step, fail };
