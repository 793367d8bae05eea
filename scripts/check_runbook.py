#!/usr/bin/env python3
"""Checks docs/operations.md against the binary's real output (run by scripts/check-deploy.sh).

- Every jq recipe over the journal (`journalctl ... | jq ...`, `docker logs ... | jq ...`) runs on
  journal lines captured from a real `xdrsync run` under systemd (tests/data/operations/journal.txt,
  systemd's own non-JSON lines included) and exits 0; a recipe that selects an event gets lines
  when the capture has that event, and every field it projects is in those lines.
- Every recipe over a `plan` output runs on a captured plan (tests/data/operations/plan.jsonl).
- Every event and plan `op` a recipe names is a string in src/, so a renamed event fails here.
- Every row of the troubleshooting table (section 9) quotes a message fragment that is in src/,
  from the list below; a row without one fails, so a new row comes with its fragment.
"""
import json
import pathlib
import re
import shlex
import subprocess
import sys

DOC = pathlib.Path("docs/operations.md")
JOURNAL = pathlib.Path("tests/data/operations/journal.txt")
PLAN = pathlib.Path("tests/data/operations/plan.jsonl")

# Each fragment is verbatim in both a row of the table and the source (one string literal, or the
# literal parts around a value). Rows about systemd or metrics name what they quote instead.
TABLE_FRAGMENTS = [
    "configuration error: ",
    "at least one link is required",
    "the client secret is wrong or revoked",
    "the client secret has expired; create a new one",
    "an administrator has not consented to the application's permissions",
    "the client_id is not an application in this tenant",
    "defender listing",
    " is onboarded to the Defender portal, but the app in tenant ",
    "a mirror link between a Defender tenant and a workspace onboarded to the Defender portal of ",
    ": its Graph token was issued for tenant ",
    "is set but $CREDENTIALS_DIRECTORY is not ",
    "(LoadCredential= missing?)",
    "cannot read the file named by ",
    " has expired; renew it",
    "http:// is allowed only for loopback hosts; use https://",
    "plain http:// refused for non-loopback host '",
    "newer than this xdrsync understands (",
    "; run a newer xdrsync or restore a state file it wrote",
    "the state file is read-only",
    "; xdrsync must be able to write it",
    "database or disk is full",
    "open: set WAL",
    "cannot open the lock file ",
    "the file holds tables but no xdrsync schema version; it is not a state database",
    "another xdrsync instance is writing this state; waiting for it",
    ", which holds ",
    "; stop it first (systemctl stop xdrsync), then run ",
    "no running link named '",
    " (it must be configured, in this process's shard, not paused or refused)",
    "cycle.held",
    "; nothing applied until an operator runs `xdrsync approve ",
    "cannot listen on ",
    "\\\"listen\\\" is \\\"\\\" in the configuration: the health endpoint is off, nothing to check",
    "portal.empty_workspace",
    "defender.field_refused",
]
# Error texts of the services that xdrsync passes on: checked against the emulator's (tools/emulator),
# which answers as the services do.
SERVICE_FRAGMENTS = [
    "Missing application roles. API required roles: ",
    "does not have authorization to perform action ",
]
# Rows whose message is not xdrsync's: systemd's, SQLite's, or a probe and an alert.
FOREIGN_ROWS = ["status=243/CREDENTIALS", "unable to open database file", "`/healthz` 503"]

failures = []


def fail(what):
    failures.append(what)


def source_text():
    text = []
    for path in sorted(pathlib.Path("src").rglob("*")):
        if path.suffix in (".cc", ".h"):
            text.append(path.read_text(errors="replace"))
    return "\n".join(text)


def shell_lines(doc):
    in_sh = False
    for line in doc.splitlines():
        if line.startswith("```"):
            in_sh = line.strip() == "```sh"
            continue
        if in_sh:
            yield line


def jq_args(line):
    """The arguments of the first `jq` of a shell line, up to the next pipe."""
    if not re.search(r"\bjq\b", line):
        return None
    words = shlex.split(line, comments=True)
    if "jq" not in words:
        return None
    args = []
    for w in words[words.index("jq") + 1:]:
        if w == "|":
            break
        args.append(w)
    return args


def run_jq(args, stdin_path):
    with open(stdin_path, "rb") as stdin:
        return subprocess.run(["jq"] + args, stdin=stdin, capture_output=True, text=True)


def check_recipes(doc, src):
    journal_lines = [json.loads(l) for l in JOURNAL.read_text().splitlines() if l.startswith("{")]
    events = {l.get("event") for l in journal_lines}
    count = 0
    for line in shell_lines(doc):
        args = jq_args(line)
        if args is None:
            continue
        if "journalctl" in line or "docker logs" in line:
            source = JOURNAL
        elif "xdrsync-plan.jsonl" in line:
            args = [a for a in args if not a.endswith("xdrsync-plan.jsonl")]
            source = PLAN
        else:
            continue
        count += 1
        r = run_jq(args, source)
        if r.returncode != 0:
            fail(f"recipe exits {r.returncode} on {source}: {line.strip()}\n  {r.stderr.strip()}")
            continue
        names = re.findall(r'\.(?:event|op) == "([^"]+)"', line)
        for name in names:
            if f'"{name}"' not in src:
                fail(f"recipe names \"{name}\", which nothing in src/ logs: {line.strip()}")
        if source is JOURNAL and len(names) == 1 and names[0] in events:
            if not r.stdout.strip() and "duration_ms >" not in line:
                fail(f"recipe finds nothing although the capture has {names[0]} lines: {line.strip()}")
            projected = re.search(r"\| \{([a-z_, ]+)\}'", line)
            if projected:
                keys = [k.strip() for k in projected.group(1).split(",")]
                for l in journal_lines:
                    if l.get("event") == names[0]:
                        missing = [k for k in keys if k not in l]
                        if missing:
                            fail(f"{names[0]} lines have no {missing}: {line.strip()}")
                        break
    if count < 10:
        fail(f"only {count} jq recipes found in {DOC}; the extraction broke")
    return count


def check_table(doc, src):
    section = doc[doc.index("## 9. Troubleshooting"):]
    rows = [l for l in section.splitlines() if l.startswith("| ") and not l.startswith("| message") and "---" not in l]
    for row in rows:
        first = row.split(" | ")[0]
        if any(f in first for f in FOREIGN_ROWS):
            continue
        quoted = [f for f in TABLE_FRAGMENTS + SERVICE_FRAGMENTS if f.replace('\\"', '"') in first]
        if not quoted:
            fail(f"troubleshooting row quotes no known message fragment (add it to {__file__}): {first[:100]}")
    for f in TABLE_FRAGMENTS:
        if f.replace('\\"', '"') not in section:
            fail(f"fragment not in the troubleshooting table: {f}")
        if f not in src:
            fail(f"troubleshooting message not in src/ (the binary says something else now): {f}")
    emulator = "\n".join(p.read_text(errors="replace") for p in sorted(pathlib.Path("tools/emulator").glob("*.cc")))
    for f in SERVICE_FRAGMENTS:
        if f not in section:
            fail(f"fragment not in the troubleshooting table: {f}")
        if f not in emulator:
            fail(f"service message not in tools/emulator/: {f}")
    return len(rows)


def main():
    doc = DOC.read_text()
    src = source_text()
    recipes = check_recipes(doc, src)
    rows = check_table(doc, src)
    for f in failures:
        print("check-runbook: FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f"check-runbook: {recipes} jq recipes run on captured output; {rows} troubleshooting rows match src/")


if __name__ == "__main__":
    main()
