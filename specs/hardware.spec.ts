// Page "Minimum hardware" [S3.1]-[S3.4]: x86_64, 2 cores, 4G RAM, 80 GB free disk on every host.
import { auditSection } from "../helpers/requirement.js";
import { hardwareChecks } from "./checks/hardware.js";

auditSection("hardware", hardwareChecks);
