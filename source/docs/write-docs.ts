/** `npm run docs`: writes the generated pages, docs/KEYS.md and docs/CLI.md. */
import { writeFileSync } from "node:fs";
import { keysMarkdown } from "../ui/keys/bindings.js";
import { cliMarkdown } from "./cli-markdown.js";

const docs = new URL("../../docs/", import.meta.url);
writeFileSync(new URL("KEYS.md", docs), keysMarkdown());
writeFileSync(new URL("CLI.md", docs), await cliMarkdown());
