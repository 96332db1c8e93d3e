// Flags for the Node.js processes of an audit (the audit itself: package.json's "audit" script).
/**
 * V8's young generation at 2 MB a semi-space instead of 16: 15-30 MB less resident memory per
 * process (audit 137 -> 120 MB, Allure generator 163 -> 131 MB) for no measurable CPU on these
 * short runs (README, "Performance").
 */
export const LEAN_HEAP_FLAGS = ["--max-semi-space-size=2"];
