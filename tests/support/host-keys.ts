// SSH host keys as the runner records them from its handshake (section ssh-host-key), for tests of
// TOPO-01 on the captured lab runs: freshly generated keys, fingerprinted as ssh-keygen -l does.
import { generateKeyPairSync } from "node:crypto";
import { hostKeySection } from "../../helpers/facts/parsers/host-key.js";
import type { CommandOutput } from "../../helpers/model.js";
import type { CollectedRun } from "../../helpers/run/collected.js";
import { fingerprintSha256 } from "../../helpers/transport/known-hosts.js";

/** An SSH wire-format string (RFC 4251 §5): a 32-bit length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A new host key of the type, as the section ssh-host-key records it. */
export function newHostKey(type: "ssh-ed25519" | "ecdsa-sha2-nistp256" = "ssh-ed25519"): CommandOutput {
  let blob: Buffer;
  if (type === "ssh-ed25519") {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    blob = Buffer.concat([sshString(Buffer.from(type)), sshString(raw)]);
  } else {
    const { x, y } = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ format: "jwk" });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(x!, "base64url"), Buffer.from(y!, "base64url")]);
    blob = Buffer.concat([sshString(Buffer.from(type)), sshString(Buffer.from("nistp256")), sshString(point)]);
  }
  return hostKeySection(`${type} ${fingerprintSha256(blob)}`);
}

/** The run with each named host's handshake key recorded (hosts not named keep what they have). */
export function withHostKeys(run: CollectedRun, keys: Record<string, CommandOutput>): CollectedRun {
  return { ...run, hosts: run.hosts.map((h) => (keys[h.name] ? { ...h, sections: [...h.sections.filter((s) => s.section !== keys[h.name]!.section), keys[h.name]!] } : h)) };
}
