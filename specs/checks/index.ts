// Every check module by section of the page: what the spec files assert and `npm run verify`
// recomputes a bundle with.
import type { Section } from "../../helpers/checks/catalogue.js";
import type { CheckModule } from "../../helpers/checks/types.js";
import { databaseChecks } from "./database.js";
import { failoverChecks } from "./failover.js";
import { hardwareChecks } from "./hardware.js";
import { monitoringChecks } from "./monitoring.js";
import { portChecks } from "./ports.js";
import { securityChecks } from "./security.js";
import { softwareChecks } from "./software.js";
import { topologyChecks } from "./topology.js";

export const CHECK_MODULES: Readonly<Record<Section, CheckModule>> = {
  topology: topologyChecks,
  hardware: hardwareChecks,
  software: softwareChecks,
  security: securityChecks,
  ports: portChecks,
  database: databaseChecks,
  monitoring: monitoringChecks,
  failover: failoverChecks,
};

export const allChecks: CheckModule = Object.assign({}, ...Object.values(CHECK_MODULES));
