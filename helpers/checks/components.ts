// The page's names of the API7 components, as the verdicts write them.
import type { ComponentName } from "../environment/schema.js";

export const COMPONENT_LABELS: Readonly<Record<ComponentName, string>> = {
  gateway: "API7 Gateway",
  dashboard: "API7 Dashboard",
  dpManager: "DP Manager",
};
