// Dependencies point one way: fails when two folders of src/ import each other (directly or
// through others). Type-only imports count too: they are a dependency of the code that reads
// them. `npm run check:module-graph`; CI runs it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const edges = new Map();
const where = new Map();

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) scan(path);
  }
}

/** The top folder of src/ a path is in (null for the root's own files). */
const folderOf = (path) => {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 ? parts[0] : null;
};

function scan(file) {
  const from = folderOf(file);
  if (!from) return; // the root (main, app.module, environment) may import anything
  for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
    const to = folderOf(normalize(join(dirname(file), target)));
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    where.set(`${from}>${to}`, relative(src, file));
  }
}

walk(src);

// Each strongly connected group of more than one folder is a cycle.
const cycles = [];
const reaches = (a, b, seen = new Set()) => {
  if (a === b) return true;
  if (seen.has(a)) return false;
  seen.add(a);
  return [...(edges.get(a) ?? [])].some((next) => reaches(next, b, seen));
};
for (const [from, targets] of edges) {
  for (const to of targets) {
    if (reaches(to, from)) cycles.push(`${from} -> ${to} (${where.get(`${from}>${to}`)})`);
  }
}
if (cycles.length > 0) {
  process.stderr.write(
    `Imports that run back up the module graph (each edge on a cycle):\n  ${cycles.sort().join('\n  ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`Module graph: ${edges.size} folders, no cycles.\n`);
