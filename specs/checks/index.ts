// Every check by requirement ID: what `npm run verify` recomputes a bundle with.
import { failoverChecks } from "./failover.js";
import { hostChecks } from "./host.js";
import { networkChecks } from "./network.js";
import type { CheckSet } from "./context.js";

export const allChecks: CheckSet = { ...hostChecks, ...networkChecks, ...failoverChecks };
