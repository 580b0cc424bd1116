import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** What the tests need from outside npm, each installed by a script of ours the first time. */
const TOOLS = {
  /** Debian's redis-server (scale-out and process-kill tests). */
  redis: 'install-redis.sh',
  /** Debian's chromium (the web page's browser test). */
  chromium: 'install-chromium.sh',
  /** schemathesis from PyPI, in a cached virtualenv (the OpenAPI fuzzing scenario). */
  schemathesis: 'install-schemathesis.sh',
} as const;

export type Tool = keyof typeof TOOLS;

const scriptName = (error: unknown): string =>
  error instanceof Error ? error.message.split('\n')[0] : String(error);

const found = new Map<Tool, string>();

/**
 * The path of a tool, installed first if the machine lacks it (prints nothing then). Throws
 * with the script's own explanation when it cannot be installed (no root, no apt-get).
 */
export function provision(tool: Tool): string {
  const known = found.get(tool);
  if (known) return known;
  const script = join(__dirname, '..', '..', 'scripts', TOOLS[tool]);
  try {
    const path = execFileSync('bash', [script], {
      encoding: 'utf8',
      // The script says on stderr what it installs, or why it cannot.
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop();
    if (!path) throw new Error('it printed no path');
    found.set(tool, path);
    return path;
  } catch (error) {
    throw new Error(
      `${tool} is needed by the tests and could not be installed (${scriptName(error)}): see above`,
    );
  }
}
