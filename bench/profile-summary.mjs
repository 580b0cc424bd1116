// The top functions of V8 CPU profiles (`npm run bench -- --profile` writes them), by self time,
// and the self time of each package (or the server's own folder, Node's internals, native code):
// `node bench/profile-summary.mjs <file.cpuprofile>... [--top 20]`. Markdown on stdout.
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 20;
const files = args.filter((arg, i) => !arg.startsWith('--') && i !== topAt + 1);

/** Self time per function (name, file, line), in ms, from one profile's samples. */
function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const spent = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const where = url
      ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'}\t${where}`;
    spent.set(key, (spent.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return spent;
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const spent = selfTimes(profile);
  const total = [...spent.values()].reduce((sum, ms) => sum + ms, 0);
  const busy = [...spent.entries()].filter(([key]) => !key.startsWith('(idle)'));
  const busyMs = busy.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`### ${basename(file)}\n`);
  console.log(`${Math.round(total)} ms profiled, ${Math.round(busyMs)} ms not idle.\n`);
  console.log('| # | function | where | self ms | % of busy |');
  console.log('| --- | --- | --- | --- | --- |');
  busy
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([key, ms], i) => {
      const [name, where] = key.split('\t');
      console.log(
        `| ${i + 1} | \`${name}\` | ${where || '–'} | ${Math.round(ms)} | ${((100 * ms) / busyMs).toFixed(1)} |`,
      );
    });
  console.log('');
  console.log('| package | self ms | % of busy |');
  console.log('| --- | --- | --- |');
  const byPackage = new Map();
  for (const [key, ms] of busy) {
    const where = key.split('\t')[1];
    byPackage.set(packageOf(where), (byPackage.get(packageOf(where)) ?? 0) + ms);
  }
  [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, ms]) =>
      console.log(`| ${name} | ${Math.round(ms)} | ${((100 * ms) / busyMs).toFixed(1)} |`),
    );
  console.log('');
}

/** `node_modules/<package>`, the server's `dist/<folder>`, `node:internal`, or native code. */
function packageOf(where) {
  if (!where) return '(native, GC, idle-time work)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (module) return module[1];
  const own = /(?:^|\/)dist\/([^/:]+)/.exec(where);
  if (own) return `server: ${own[1]}`;
  if (where.startsWith('node:')) return 'node';
  return where.split(':')[0];
}
