// Validates Kubernetes objects against the API schemas of kubernetes-models (the OpenAPI schemas of
// the Kubernetes API, compiled to validators by ajv; version pinned with integrity hashes in
// package-lock.json). Input: a JSON array of {file, doc} on stdin (scripts/check-deploy.sh turns the
// YAML into it). Prints one line per object; exits 1 if any object is invalid or of an unknown kind.
import { readFileSync } from "node:fs";

const items = JSON.parse(readFileSync(0, "utf8"));
let failed = 0;
for (const { file, doc } of items) {
  const where = `${file}: ${doc.kind}/${doc.metadata?.name}`;
  const group = doc.apiVersion.includes("/") ? doc.apiVersion : `v1`;
  let Model;
  try {
    Model = (await import(`kubernetes-models/${group}/${doc.kind}`))[doc.kind];
  } catch (e) {
    console.log(`INVALID ${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`valid   ${where} (${doc.apiVersion})`);
  } catch (e) {
    const errors = (e.errors ?? [e]).map((x) => `${x.instancePath ?? ""} ${x.message}`).join("; ");
    console.log(`INVALID ${where}: ${errors}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
