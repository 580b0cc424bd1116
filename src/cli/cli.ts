import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { describeError } from '../common/errors/describe-error';
import { developmentDatabase } from '../database/development-database';

/**
 * `npm run cli -- <command>`: the operator's commands, with the server's own environment. Exit
 * 0 on success; otherwise one line saying why, and exit 1.
 */
async function main(): Promise<void> {
  // Only the commands' own output: the server's start-up notices do not belong here.
  Logger.overrideLogger(false);
  const database = await developmentDatabase('cli');
  // Loaded only now: the configuration is validated when the module is imported.
  const { CliModule } = await import('./cli.module');
  try {
    await CommandFactory.run(CliModule, {
      logger: false,
      cliName: 'npm run cli --',
      serviceErrorHandler: (error) => {
        const { unexpected, message } = describeError(error);
        console.error(`error: ${unexpected ? error.message : message}`);
        process.exitCode = 1;
      },
    });
  } finally {
    await database?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(
    `error: ${error instanceof Error ? error.message.split('\n').join(' ') : String(error)}`,
  );
  process.exitCode = 1;
});
