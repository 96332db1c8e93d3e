// The raw outputs that decided a verdict, as Allure attachments (already redacted at collection).
import { renderTimelineOf } from "../failover/timeline.js";
import type { CommandOutput, Verdict } from "../model.js";
import type { CollectedRun } from "./collected.js";

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

/** Evidence names are section names (host commands), probe keys or failover experiment ids. */
export function evidenceAttachments(verdict: Verdict, context: { run: CollectedRun }): Attachment[] {
  const { run } = context;
  const attachments: Attachment[] = [];
  const collection = verdict.host ? run.hosts.find((h) => h.name === verdict.host) : undefined;
  for (const name of verdict.evidence ?? []) {
    const sections = [...(collection?.sections ?? []), ...(collection?.hostProbes ?? [])].filter((s) => s.section === name);
    for (const section of sections) {
      attachments.push({ name: `${verdict.target} ${name}`, content: renderCommandOutput(section), contentType: "text/plain" });
    }
    const probe = run.probes.find((p) => p.key === name);
    if (probe) attachments.push({ name: `probe ${probe.key}`, content: JSON.stringify(probe, null, 2), contentType: "application/json" });
    const experiment = run.failover.find((f) => (f as { id?: string }).id === name);
    if (experiment) attachments.push(...failoverAttachments(name, experiment));
    if (sections.length === 0 && !probe && !experiment && !collection) {
      // Host-free evidence such as TOPO-01's machine-ids of every host.
      for (const host of run.hosts) {
        for (const section of host.sections.filter((s) => s.section === name)) {
          attachments.push({ name: `${host.name} ${name}`, content: renderCommandOutput(section), contentType: "text/plain" });
        }
      }
    }
  }
  return attachments;
}

function failoverAttachments(id: string, experiment: unknown): Attachment[] {
  return [
    { name: `failover ${id} timeline`, content: renderTimelineOf(experiment), contentType: "image/svg+xml" },
    { name: `failover ${id} history`, content: JSON.stringify(experiment, null, 2), contentType: "application/json" },
  ];
}
