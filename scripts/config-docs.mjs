// Writes docs/configuration.md, the table of every environment variable, from the settings
// classes themselves (their @Setting docs and defaults, in the built server), so the docs and
// the code cannot disagree. With --check it writes nothing and fails when the file is stale (CI).
//
//   npm run docs:config          # build, then write docs/configuration.md
//   node scripts/config-docs.mjs --check
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });

require('reflect-metadata');
const { SETTINGS } = require(`${root}dist/environment.js`);
const { settingDocs } = require(`${root}dist/config/setting.js`);

const shown = (value) => {
  if (value === undefined) return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
};
const cell = (text) => String(text).replaceAll('|', '\\|');

const sections = SETTINGS.map((settings) => {
  const defaults = new settings();
  const rows = settingDocs(settings).map((doc) =>
    [
      `\`${doc.name}\``,
      doc.shownDefault ?? shown(defaults[doc.name]),
      doc.allowed ?? '',
      doc.meaning,
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    `## ${settings.name.replace(/Settings$/, '')}`,
    '',
    '| variable | default | allowed | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
});

const text = `# Configuration

<!-- Written by \`npm run docs:config\` from the settings classes (src/**/*.settings.ts); do not edit. -->

Environment variables, validated at start-up: the server refuses to start on bad values and lists
every problem (\`DATA_DIR\` and \`MONGOD_PATH\` are checked when the embedded database starts,
before the rest). Each module declares its own, next to the code that reads them.

${sections.join('\n\n')}
`;

const path = `${root}docs/configuration.md`;
if (values.check) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing: stale
  }
  // Compared as Prettier leaves it: the table's column padding is not content.
  const normalize = (markdown) =>
    markdown
      .split('\n')
      .map((line) => line.replace(/ +\|/g, ' |').replace(/\| +/g, '| ').replace(/-{3,}/g, '---'))
      .join('\n')
      .trim();
  if (normalize(current) !== normalize(text)) {
    console.error('docs/configuration.md is stale: run `npm run docs:config` and commit it');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date');
} else {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
