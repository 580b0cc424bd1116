import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AppsService } from '../apps/apps.service';
import { CreateAppDto } from '../apps/dto/create-app.dto';

interface AppsCreateOptions {
  scopes?: string[];
  webhookUrl?: string;
  webhookScope?: string;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Makes an app from the command line and prints its key (and webhook secret) once. */
@Command({
  name: 'apps:create',
  arguments: '<name>',
  description: 'create an app with a bot user and an API key (printed once)',
})
export class AppsCreateCommand extends CommandRunner {
  constructor(private readonly apps: AppsService) {
    super();
  }

  async run([name]: string[], options: AppsCreateOptions): Promise<void> {
    const dto = plainToInstance(CreateAppDto, {
      name,
      ...(options.scopes && { scopes: options.scopes }),
      ...(options.webhookUrl && {
        webhook: { url: options.webhookUrl, scope: options.webhookScope },
      }),
    });
    const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (problems.length > 0) {
      const texts = problems.flatMap((problem) => [
        ...Object.values(problem.constraints ?? {}),
        ...(problem.children ?? []).flatMap((child) => Object.values(child.constraints ?? {})),
      ]);
      throw new Error(texts.join('; '));
    }
    const { app, key, webhookSecret } = await this.apps.create(dto);
    console.log(
      `app ${app.id} (${app.name}); bot user ${app.botUserId}; scopes ${app.scopes.join(',')}`,
    );
    console.log(`key (shown once): ${key}`);
    if (webhookSecret) console.log(`webhook secret (shown once): ${webhookSecret}`);
  }

  @Option({
    flags: '--scopes <list>',
    description: 'comma-separated: users:write,conversations:write,messages:write,events:read',
  })
  parseScopes(value: string): string[] {
    return list(value);
  }

  @Option({ flags: '--webhook-url <url>', description: 'where to send the events' })
  parseWebhookUrl(value: string): string {
    return value;
  }

  @Option({
    flags: '--webhook-scope <scope>',
    description: "member (the bot's conversations, default) or all",
  })
  parseWebhookScope(value: string): string {
    return value;
  }
}
