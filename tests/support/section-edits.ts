// Edits of one captured section, for tests that vary the lab run one section at a time.
import type { CommandOutput } from "../../helpers/model.js";
import { absentFile } from "../unit/facts/fixtures.js";

export type Edit = (s: CommandOutput) => CommandOutput;
/** The section with its stdout edited. */
export const stdout = (edit: (text: string) => string): Edit => (s) => ({ ...s, stdout: edit(s.stdout) });
/** The section as it reads when its file does not exist. */
export const absent: Edit = (s) => absentFile(s.section, s.section);
/** The sections with the one named `name` overlaid by `with_` (exit code, stderr, ...). */
export const replaceSection =
  (name: string, with_: Partial<CommandOutput>) =>
  (sections: CommandOutput[]): CommandOutput[] =>
    sections.map((s) => (s.section === name ? { ...s, ...with_ } : s));
