import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stopDatabase from '../../support/global-teardown';
import { reportDir, requirement, violates, type ScenarioReport } from './report';

/** Renders every scenario's figures as report.md and report.json, then stops the database. */
export default async function globalTeardown(): Promise<void> {
  try {
    renderReport();
  } finally {
    await stopDatabase();
  }
}

function renderReport(): void {
  const dir = reportDir();
  const scenariosDir = join(dir, 'scenarios');
  if (!existsSync(scenariosDir)) return;
  const reports = readdirSync(scenariosDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(scenariosDir, file), 'utf8')) as ScenarioReport);
  const failing = reports.flatMap((r) =>
    r.figures.filter(violates).map((f) => `${r.scenario}: ${f.name}`),
  );
  const lines = [
    '# Faults and abuse report',
    '',
    `Generated ${new Date().toISOString()} by \`npm run test:faults\` (profile: ${reports[0]?.profile ?? '?'}).`,
    `Machine load: ${process.env.CPU_HOG ?? 'none added'}.`,
    `Guarantees (must be 0, or below their bound): ${failing.length === 0 ? 'all met' : `NOT MET: ${failing.join('; ')}`}.`,
    '',
  ];
  for (const report of reports) {
    lines.push(
      `## ${report.scenario}`,
      '',
      report.setup,
      '',
      '| figure | value |',
      '| --- | --- |',
    );
    for (const figure of report.figures) {
      const value = `${figure.value}${figure.unit ? ` ${figure.unit}` : ''}`;
      lines.push(`| ${figure.name}${requirement(figure)} | ${value} |`);
    }
    for (const note of report.notes ?? []) lines.push('', note);
    lines.push('');
  }
  writeFileSync(join(dir, 'report.md'), `${lines.join('\n')}`);
  // CI keeps only the console's tail: what broke, and the scenario's notes, go there too.
  for (const report of reports.filter((r) => r.figures.some(violates))) {
    const broken = report.figures.filter(violates).map((f) => `  ${f.name}: ${f.value}`);
    const notes = (report.notes ?? []).map((note) => `  ${note}`);
    process.stderr.write(
      `\nNOT MET in "${report.scenario}":\n${[...broken, ...notes].join('\n')}\n`,
    );
  }
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(reports, null, 2)}\n`);
}
