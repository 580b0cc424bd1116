// The top functions of V8 CPU profiles (`npm run bench -- --profile` writes them), by self time:
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
}
