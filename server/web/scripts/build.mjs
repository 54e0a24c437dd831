// Type-checks and builds the UI into the directory given as the first
// argument (default dist/), then writes a .gz twin of every compressible file
// above 1 KiB, which amarcord-server sends to clients that accept gzip.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const outDir = resolve(process.argv[2] ?? join(root, "dist"));

execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root], {
  stdio: "inherit",
});
await build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true } });

const compressible = /\.(js|mjs|css|html|svg|json|map|txt|webmanifest)$/;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (compressible.test(name) && statSync(path).size > 1024) {
      writeFileSync(path + ".gz", gzipSync(readFileSync(path), { level: 9 }));
    }
  }
}
walk(outDir);
console.log(`web UI built into ${outDir}`);
