// `npm run schema`: writes environments/environment.schema.json from the same zod schema the loader
// validates with, so editors (yaml-language-server) check environment files as you type.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENVIRONMENTS_DIR } from "../helpers/environment/load.js";
import { environmentJsonSchema } from "../helpers/environment/json-schema.js";

const file = join(ENVIRONMENTS_DIR, "environment.schema.json");
writeFileSync(file, `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
