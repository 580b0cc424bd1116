import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { provision } from '../support/provision';
import { registerUser, useTestApp } from '../support/test-app';
import { record, scaled } from './support/report';

const run = promisify(execFile);
const EXAMPLES = scaled(10, 100);
const ENDS_OWN_SESSION = /^\/api\/auth\/(logout|sessions\/\{id\})$/;

/**
 * Property-based fuzzing of the REST API from its own OpenAPI document (schemathesis): no
 * response may be a 5xx, and every response must match the documented schema.
 */
describe('fault: fuzzing the REST API from its OpenAPI document', () => {
  const suite = useTestApp();

  it('answers no 5xx and only what the document describes', async () => {
    const st = provision('schemathesis');
    const user = await registerUser(suite.app);
    const reports = mkdtempSync(join(tmpdir(), 'chat-schemathesis-'));
    const junit = join(reports, 'junit.xml');
    const seed = String(Math.floor(Math.random() * 2 ** 31));
    const args = [
      'run',
      `${suite.app.url}/api/docs-json`,
      '--checks',
      'not_a_server_error,response_schema_conformance',
      '--header',
      `Authorization: Bearer ${user.token}`,
      // Signing the fuzzer's own session out would leave only 401s to see (tested on their own).
      '--exclude-path-regex',
      ENDS_OWN_SESSION.source,
      '--max-examples',
      String(EXAMPLES),
      '--seed',
      seed,
      // One worker: Python 3.11's ast module is not thread-safe, and hypothesis parses lambdas
      // with it while generating, so two workers now and then die with "AST constructor recursion
      // depth mismatch" (a fuzzer crash, reported as an error of whichever operation it was on).
      '--workers',
      '1',
      '--no-color',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
    ];
    const outcome = await run(st, args, { cwd: reports, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({
        code: error.code ?? 1,
        stdout: error.stdout ?? '',
      }),
    );
    const xml = readFileSync(junit, 'utf8');
    const attribute = (name: string): number =>
      [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    const generated = Number(/(\d+) generated/.exec(outcome.stdout)?.[1] ?? 0);
    const serverErrors = (outcome.stdout.match(/Server error/g) ?? []).length;
    const schemaMismatches = (outcome.stdout.match(/Response violates schema/g) ?? []).length;
    // Each failing operation with the first line of what went wrong, so a red run says where.
    const failures = [
      ...xml.matchAll(
        /<testcase name="([^"]+)"[^>]*>\s*<(?:error|failure)[^>]*>([^\n]*)\n+([^\n]*)/g,
      ),
    ].map((m) => `${m[1]}: ${m[2].trim()} ${m[3].trim()}`.slice(0, 300));
    const warnings = [...outcome.stdout.matchAll(/^\s+- (\w+ \/api\S*)$/gm)].map((m) => m[1]);

    record({
      scenario: 'OpenAPI fuzzing (schemathesis)',
      setup:
        `schemathesis ${st.split('-').at(-1)?.split('/')[0] ?? ''} against /api/docs-json as a ` +
        `signed-in user (all operations but logout and ending a session, which would sign it ` +
        `out): examples, coverage, fuzzing and stateful phases, up to ${EXAMPLES} ` +
        `examples per operation, checks not_a_server_error and response_schema_conformance ` +
        `(seed ${seed}).`,
      figures: [
        { name: 'operations tested', value: attribute('tests') },
        { name: 'test cases generated', value: generated },
        {
          name: 'failing operations',
          value: attribute('failures') + attribute('errors'),
          mustBeZero: true,
        },
        { name: '5xx responses', value: serverErrors, mustBeZero: true },
        { name: 'responses not matching the schema', value: schemaMismatches, mustBeZero: true },
      ],
      notes: [
        ...failures.map((failure) => `failed: ${failure}`),
        ...(warnings.length
          ? [
              'schemathesis warned that these operations mostly answered 4xx to generated data ' +
                '(validation stricter than the document, or ids it could not guess): ' +
                `${[...new Set(warnings)].join(', ')}.`,
            ]
          : []),
      ],
    });

    expect({
      exit: outcome.code,
      output: outcome.code === 0 ? '' : outcome.stdout.slice(-4000),
    }).toEqual({
      exit: 0,
      output: '',
    });
    expect(generated).toBeGreaterThan(0);
  }, 600_000);
});
