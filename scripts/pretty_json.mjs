// Indents the compact JSON on stdin without parsing it, so that the keys keep their
// order (graphql.resolve answers in the order of the selection set) and numbers every
// digit (JSON.parse would turn 12.50 into 12.5). Used by scripts/demo.sh.
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8").trim();
let out = "";
let depth = 0;
let inString = false;
let escaped = false;
const newline = () => "\n" + "  ".repeat(depth);
for (let i = 0; i < text.length; i++) {
  const c = text[i];
  if (inString) {
    out += c;
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === '"') inString = false;
  } else if (c === '"') {
    inString = true;
    out += c;
  } else if (c === "{" || c === "[") {
    const next = text[i + 1];
    if (next === "}" || next === "]") {
      out += c + next;
      i++;
    } else {
      depth++;
      out += c + newline();
    }
  } else if (c === "}" || c === "]") {
    depth--;
    out += newline() + c;
  } else if (c === ",") {
    out += "," + newline();
  } else if (c === ":") {
    out += ": ";
  } else if (c.trim()) {
    out += c;
  }
}
console.log(out);
