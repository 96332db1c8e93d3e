// The raw outputs that decided a verdict, as Allure attachments (already redacted at collection).
import { renderTimelineOf } from "../failover/timeline.js";
import type { CommandOutput, Verdict } from "../model.js";
import { type CollectedRun, type ProbeRecord, probeByKey } from "./collected.js";

export interface Attachment {
  name: string;
  content: string;
  contentType: string;
}

/** How a section ended, in the report's words: a section that never ran or was cut off says so. */
export function describeEnd(output: CommandOutput): string {
  if (output.notRun !== undefined) return `not run: ${output.notRun}`;
  if (output.timedOut) return "timed out";
  return output.exitCode === null ? "cut off before it ended" : String(output.exitCode);
}

export function renderCommandOutput(output: CommandOutput): string {
  return [
    `$ ${output.command}`,
    `exit: ${describeEnd(output)}   duration: ${output.durationMs} ms`,
    "--- stdout ---",
    output.stdout.trimEnd(),
    "--- stderr ---",
    output.stderr.trimEnd(),
  ].join("\n");
}

/**
 * Evidence names are section names (host commands), probe keys or failover experiment ids. The
 * command outputs of a verdict are ONE text attachment and its probes ONE JSON attachment: a
 * verdict may rest on dozens of either (SEC-02 reads up to 15 sections, SEC-04 probes every port),
 * and each attachment is a file that vitest writes and Allure reads, copies and inlines.
 */
export function evidenceAttachments(verdict: Verdict, context: { run: CollectedRun }): Attachment[] {
  const { run } = context;
  const outputs: { host: string; output: CommandOutput }[] = [];
  const probes: unknown[] = [];
  const failover: Attachment[] = [];
  const collection = verdict.host ? run.hosts.find((h) => h.name === verdict.host) : undefined;
  for (const name of verdict.evidence ?? []) {
    const sections = [...(collection?.sections ?? []), ...(collection?.hostProbes ?? [])].filter((s) => s.section === name);
    outputs.push(...sections.map((output) => ({ host: verdict.target, output })));
    const probe = probeByKey(run, name);
    if (probe) probes.push(probe);
    const experiment = run.failover.find((f) => (f as { id?: string }).id === name);
    if (experiment) failover.push(...failoverAttachments(name, experiment));
    if (sections.length === 0 && !probe && !experiment && !collection) {
      // Host-free evidence such as TOPO-01's machine-ids of every host.
      for (const host of run.hosts) outputs.push(...host.sections.filter((s) => s.section === name).map((output) => ({ host: host.name, output })));
    }
  }
  const attachments: Attachment[] = [];
  if (outputs.length > 0) {
    attachments.push({
      name: `${verdict.target} commands (${outputs.length})`,
      content: outputs.map(({ host, output }) => `### ${host} ${output.section}\n${renderCommandOutput(output)}`).join("\n\n"),
      contentType: "text/plain",
    });
  }
  if (probes.length > 0) attachments.push({ name: `${verdict.target} probes (${probes.length})`, content: JSON.stringify(probes, null, 2), contentType: "application/json" });
  return [...attachments, ...failover];
}

function failoverAttachments(id: string, experiment: unknown): Attachment[] {
  return [
    { name: `failover ${id} timeline`, content: renderTimelineOf(experiment), contentType: "image/svg+xml" },
    { name: `failover ${id} history`, content: JSON.stringify(experiment, null, 2), contentType: "application/json" },
  ];
}
