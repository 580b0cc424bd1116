// The client library as an app outside this repository gets it: packs @nest-chat/protocol and
// @nest-chat/client, installs the tarballs into copies of examples/ in a temporary directory,
// typechecks them strictly for Node (nodenext) and for a bundler, builds the browser one with
// Vite, runs the terminal one, and fails if any file the compiler read lies in the repository.
// Needs `npm run build` first (the client's dist/) and the npm registry (TypeScript, Vite).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'nest-chat-client-package-'));
const packed = join(work, 'packed');
mkdirSync(packed);

const run = (cwd, command, args, options = {}) => {
  console.log(`$ (${cwd.replace(work, '<tmp>')}) ${command} ${args.join(' ')}`);
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    ...options,
  });
};

/** The files tsc reads for `project`: none may come from the repository. */
function checkResolution(app, project) {
  const files = run(app, 'npx', ['tsc', '-p', project, '--listFilesOnly'])
    .split('\n')
    .filter(Boolean);
  const leaked = files.filter((file) => resolve(file).startsWith(root + '/'));
  if (leaked.length > 0)
    throw new Error(`${app}: resolved into the repository:\n${leaked.join('\n')}`);
  const client = files.filter((file) => file.includes('node_modules/@nest-chat/'));
  if (client.length === 0) throw new Error(`${app}: read nothing of @nest-chat/*`);
  console.log(
    `  ${files.length} files read, ${client.length} from the installed @nest-chat packages, none from the repository`,
  );
}

/** A copy of examples/<name> whose @nest-chat dependencies are the tarballs just packed. */
function appFrom(name) {
  const app = join(work, name);
  cpSync(join(root, 'examples', name), app, {
    recursive: true,
    filter: (source) => !/node_modules|dist/.test(source.slice(root.length)),
  });
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies)) {
    const tarball = readdirSync(packed).find((file) =>
      file.startsWith(dependency.slice(1).replace('/', '-')),
    );
    if (!tarball) throw new Error(`no tarball for ${dependency}`);
    manifest.dependencies[dependency] = `file:${join(packed, tarball)}`;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  run(app, 'npm', ['install', '--no-audit', '--no-fund', '--install-links']);
  return app;
}

try {
  if (!existsSync(join(root, 'client', 'dist', 'index.d.ts'))) {
    throw new Error('client/dist is missing: run `npm run build` first');
  }
  run(root, 'npm', ['pack', '-w', 'protocol', '-w', 'client', '--pack-destination', packed]);

  const terminal = appFrom('terminal-chat');
  checkResolution(terminal, 'tsconfig.json');
  run(terminal, 'npx', ['tsc', '-p', 'tsconfig.json']);
  // It loads the installed package at run time too (ES modules resolved by Node): without
  // arguments it prints its usage and exits 2.
  try {
    run(terminal, 'node', ['dist/main.js']);
    throw new Error('terminal-chat: expected its usage and exit code 2');
  } catch (error) {
    if (error.status !== 2) throw error;
  }

  const browser = appFrom('browser');
  checkResolution(browser, 'tsconfig.json');
  run(browser, 'npx', ['vite', 'build', '--logLevel', 'warn']);
  const assets = readdirSync(join(browser, 'dist', 'assets')).filter((file) =>
    file.endsWith('.js'),
  );
  const bundle = assets
    .map((file) => readFileSync(join(browser, 'dist', 'assets', file), 'utf8'))
    .join('');
  if (!bundle.includes('message:send')) throw new Error('browser: the bundle lacks the client');
  console.log(`  browser bundle: ${assets.join(', ')} (${Math.round(bundle.length / 1024)} KB)`);
  console.log('client package: OK');
} finally {
  if (keep) console.log(`kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
