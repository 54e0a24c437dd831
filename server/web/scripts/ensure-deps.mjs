// Runs `npm ci` unless node_modules already holds exactly what
// package-lock.json asks for (npm's own record of the installed tree,
// node_modules/.package-lock.json, is newer than the lockfile), so builds in
// several build directories do not reinstall again and again.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
const fresh =
  existsSync(installed) &&
  statSync(installed).mtimeMs >= statSync(lock).mtimeMs &&
  statSync(installed).mtimeMs >= statSync(join(root, "package.json")).mtimeMs;
if (fresh) {
  console.log("web UI packages are up to date");
} else {
  const npm = process.env.NPM ?? "npm";
  execFileSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: "inherit" });
}
