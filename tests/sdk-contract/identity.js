// @azure/identity's sign-in against the emulator, on its own: discovery, both scopes, a wrong
// secret refused with the service's error, and the tokens' audience and tenant.
"use strict";
const { ClientSecretCredential } = require("@azure/identity");
const { baseUrl, TENANT, credential, step, fail } = require("./lib/common.js");

function claims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

async function main() {
  const cred = credential();
  for (const [scope, audience] of [["https://graph.microsoft.com/.default", "https://graph.microsoft.com"],
                                   ["https://management.azure.com/.default", "https://management.azure.com"]]) {
    await step(`token for ${scope}`, async () => {
      const token = await cred.getToken(scope);
      const c = claims(token.token);
      if (c.aud !== audience || c.tid !== TENANT) fail(`aud ${c.aud}, tid ${c.tid}`);
      if (!(token.expiresOnTimestamp > Date.now())) fail("the token is already expired");
    });
  }
  await step("a wrong secret is refused", async () => {
    const wrong = new ClientSecretCredential(TENANT, "sdk-contract-app", "not-the-secret",
                                             { authorityHost: baseUrl, disableInstanceDiscovery: true });
    try {
      await wrong.getToken("https://graph.microsoft.com/.default");
    } catch (e) {
      if (!/AADSTS7000215/.test(e.message)) fail(`unexpected error: ${e.message}`);
      return;
    }
    fail("a wrong secret got a token");
  });
}

main().catch((e) => {
  console.error(`identity: ${e.message}`);
  process.exit(1);
});
