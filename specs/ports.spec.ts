// Page "Security settings" [S5.1]-[S5.3]: the port table open, every other port closed, each component answering.
import { auditSection } from "../helpers/requirement.js";
import { portChecks } from "./checks/ports.js";

auditSection("ports", portChecks);
