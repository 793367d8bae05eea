// Starts the emulator binary with --tls on the contract scenario, then runs each SDK script in
// its own Node process trusting the emulator's ca-file (NODE_EXTRA_CA_CERTS is read at start).
// usage: node run.js /path/to/xdrsync-emulator
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const path = require("node:path");
const readline = require("node:readline");

const SCRIPTS = ["shapes-selftest.js", "identity.js", "arm.js", "graph.js"];
const START_TIMEOUT_MS = 15000;

function startEmulator(binary) {
  const child = spawn(binary, ["--port", "0", "--tls", "--no-rate-limits", "--seed-file",
                               path.join(__dirname, "scenario.json")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not print its https line in time")), START_TIMEOUT_MS);
    let caFile = "";
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("ca-file ")) caFile = line.slice("ca-file ".length);
      const m = line.match(/^listening on (https:\/\/127\.0\.0\.1:\d+)$/);
      if (m) {
        clearTimeout(timer);
        if (!caFile) reject(new Error("the emulator printed no ca-file line before listening"));
        resolve({ child, baseUrl: m[1], caFile });
      }
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited early (${code})`)));
  });
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error("usage: node run.js /path/to/xdrsync-emulator");
  const emulator = await startEmulator(path.resolve(binary));
  let failed = 0;
  try {
    for (const script of SCRIPTS) {
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caFile, EMULATOR_URL: emulator.baseUrl };
      const result = spawnSync(process.execPath, [path.join(__dirname, script)], { env, stdio: "inherit", timeout: 60000 });
      const ok = result.status === 0;
      if (!ok) failed += 1;
      console.log(`${ok ? "ok  " : "FAIL"} ${script}`);
    }
  } finally {
    emulator.child.kill("SIGTERM");
  }
  if (failed) throw new Error(`${failed} of ${SCRIPTS.length} SDK contract scripts failed`);
}

main().catch((e) => {
  console.error(`sdk-contract: ${e.message}`);
  process.exit(1);
});
