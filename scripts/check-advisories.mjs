// Compares every package installed by a package-lock.json against the pinned advisories in
// security/advisories.json: the dependency check that works without the network (npm audit
// needs an advisory service our machines cannot reach). Exits 1 when any installed version is
// affected, listing each one.
//
//   node scripts/check-advisories.mjs [--lockfile package-lock.json] [--json]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const semver = require('semver');

const { values } = parseArgs({
  options: {
    lockfile: { type: 'string', default: 'package-lock.json' },
    advisories: {
      type: 'string',
      default: new URL('../security/advisories.json', import.meta.url).pathname,
    },
    json: { type: 'boolean', default: false },
  },
});

const { advisories, updated } = JSON.parse(readFileSync(values.advisories, 'utf8'));
const lock = JSON.parse(readFileSync(values.lockfile, 'utf8'));
const byPackage = new Map();
for (const advisory of advisories) {
  byPackage.set(advisory.package, [...(byPackage.get(advisory.package) ?? []), advisory]);
}

// lockfileVersion 2 and 3: every installed copy is a `packages` entry keyed by its path.
const installed = Object.entries(lock.packages ?? {}).filter(([path]) =>
  path.includes('node_modules/'),
);
const findings = [];
for (const [path, entry] of installed) {
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  for (const advisory of byPackage.get(name) ?? []) {
    if (
      entry.version &&
      semver.satisfies(entry.version, advisory.vulnerable, { includePrerelease: true })
    ) {
      findings.push({ ...advisory, version: entry.version, path, dev: entry.dev === true });
    }
  }
}

const summary = {
  lockfile: values.lockfile,
  installed: installed.length,
  advisories: advisories.length,
  updated,
  findings,
};
if (values.json) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  for (const f of findings) {
    console.log(
      `${f.severity.padEnd(8)} ${f.id} ${f.package}@${f.version} (${f.dev ? 'dev' : 'production'}, ${f.path}): ${f.summary}`,
    );
  }
  console.log(
    `check-advisories: ${installed.length} installed packages against ${advisories.length} pinned advisories (updated ${updated}): ${findings.length} affected`,
  );
}
process.exit(findings.length === 0 ? 0 : 1);
